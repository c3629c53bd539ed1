# exhunt build VERSION: text and JSON lines, exit 1 when a covered CVE is
# open, 0 when none is; the example build (Exchange 2016 CU19).
"$EXHUNT" build 15.1.2176.2
echo "status $?"
"$EXHUNT" build -f jsonl 15.1.2176.2
echo "status $?"
"$EXHUNT" build --format text 15.01.2375.037
echo "status $?"
"$EXHUNT" build 15.1.1913.12
echo "status $?"
# The long form (version_long) of every listed build reads back as that
# build: Microsoft's page and ExSetup.exe's FileVersion write it so.
bad=0
for v in 14.3.513.0 15.0.1497.12 15.1.2176.9 15.2.792.10 15.2.2562.53 15.1.2176; do
    l=$("$EXHUNT" build -f jsonl "$v" | grep -o '"version_long":"[^"]*"' | cut -d'"' -f4)
    back=$("$EXHUNT" build -f jsonl "$l" | grep -o '"version":"[^"]*"' | cut -d'"' -f4)
    echo "$v $l $back"
    [ "$back" = "$v" ] || bad=1
done
echo "long forms read back: $([ $bad = 0 ] && echo yes || echo no)"
