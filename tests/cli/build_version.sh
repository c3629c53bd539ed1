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
