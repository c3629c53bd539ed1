# --max-file-size sets the cap of big_files.sh: a file one byte over it is
# counted as skipped and named, a file at the cap is hashed and scanned, a
# minidump over it is judged by its first SIZE bytes; bad sizes are usage
# errors.
mkdir -p case
python3 - "$SRCDIR/tests/data/files/postex_lsass_minidump/positive.dmp" <<'PY'
import sys
head = open(sys.argv[1], 'rb').read()
with open('case/lsass.dmp', 'wb') as f:
    f.write(head + b'\0' * (20000 - len(head)))
with open('case/at_cap.txt', 'wb') as f:
    f.write(b'a' * 16384)
with open('case/over_cap.txt', 'wb') as f:
    f.write(b'a' * 16385)
PY
report() {
python3 - <<'PY'
import json
for o in map(json.loads, open('out.jsonl')):
    if o['kind'] == 'finding':
        print(o['rule'], o['file']['sha256'], o['file']['size'])
    else:
        c = o['counts']
        print(c['scanned'], c['skipped'], c['bad_records'])
        for e in sorted(o['errors'], key=lambda e: e['path']):
            print(e['path'], e['message'])
PY
}
"$EXHUNT" scan -f jsonl --no-progress --max-file-size 16K case > out.jsonl
echo "exit $?"
report
"$EXHUNT" scan -f jsonl --no-progress --max-file-size 16385 case > out.jsonl
echo "exit $?"
report
for bad in 0 4095 2G 12Q -5 ""; do
    "$EXHUNT" scan --max-file-size "$bad" case 2>&1
    echo "status $?"
done
