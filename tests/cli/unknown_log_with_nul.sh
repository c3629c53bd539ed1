# A .log file of no format exhunt reads, in a volume and outside the places
# scanned whole: text with a NUL in one line is skipped like any other
# such text, not called binary; a UTF-16 one still is.
mkdir -p vol/Windows/System32 vol/Data
printf 'started\nuser a\0b logged in\nstopped\n' > vol/Data/app.log
printf 's\0t\0a\0r\0t\0\n\0s\0t\0o\0p\0\n\0' > vol/Data/wide.log
"$EXHUNT" scan -f jsonl --no-progress vol > out.jsonl; echo "exit $?"
python3 -c '
import json
s = [json.loads(l) for l in open("out.jsonl")][-1]
print("skipped", s["counts"]["skipped"])
for e in s["errors"]:
    print(e["path"], "-", e["message"])
'
