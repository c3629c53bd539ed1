# --since/--until pass over whole log files whose names (else their
# "#Date:" headers) date them more than a day outside the window (they are
# counted, and said so); files within a day of it, and files dated by
# neither, are read and judged by their records' times. The same ProxyLogon rows are planted in every file,
# their times moved to the file's hour.
src="$SRCDIR/tests/data/schema/HttpProxy_2021030204-1.LOG"
mkdir -p Logging/HttpProxy/Mapi
plant() { # NAME DATE-HOUR ("2021-03-02T04")
    sed "s/^2021-03-02T04:/$2:/; s/^#Date: 2021-03-02T04:/#Date: $2:/" \
        "$src" > "Logging/HttpProxy/Mapi/$1"
}
plant HttpProxy_2021030204-1.LOG 2021-03-02T04  # inside
plant HttpProxy_2021020104-1.LOG 2021-02-01T04  # a month before: not read
plant HttpProxy_2021022823-1.LOG 2021-02-28T23  # within the margin: read
plant HttpProxy_2021031504-1.LOG 2021-03-15T04  # after: not read
plant proxy-export.LOG 2021-03-05T04            # no date in the name: read
plant renamed.LOG 2021-02-01T04                 # by its #Date: not read
printf '\357\273\277' > Logging/HttpProxy/Mapi/bom.LOG  # BOM, then #Date
sed 's/2021-03-02T04:/2021-03-25T04:/' "$src" >> Logging/HttpProxy/Mapi/bom.LOG
plant HttpProxy_2021031504-2.LOG 2021-03-05T04  # misnamed: passed over
"$EXHUNT" scan -q --no-progress --since 2021-03-01 --until 2021-03-10 \
    -f jsonl Logging > out.jsonl
echo "exit $?"
grep -o '"counts":{[^}]*' out.jsonl
grep -c '"kind":"finding"' out.jsonl
grep -o '"path":"[^"]*"' out.jsonl | sort | uniq -c
"$EXHUNT" scan --no-progress --since 2021-03-01 --until 2021-03-10 Logging |
    grep -E '^(Files|Log records|[0-9]+ log file)'
# Without a window every file is read.
"$EXHUNT" scan -q --no-progress -f jsonl Logging | grep -o '"counts":{[^}]*'
# Coverage (first, last, gaps) holds only the records inside the window,
# the records the rules saw; "records" counts every record read.
"$EXHUNT" scan -q --no-progress --since 2021-03-02T04:10 \
    --until 2021-03-05T04:00 -f jsonl Logging | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["kind"] == "summary":
        for c in o["coverage"]:
            print(c["family"], c["records"], c["first"], c["last"], len(c["gaps"]))'
