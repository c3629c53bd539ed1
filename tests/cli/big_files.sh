# Files over 64 MiB are not hashed or scanned, and are named and counted;
# a memory dump over the cap is judged by its first 64 MiB (an LSASS dump's
# module list lies there). The files are sparse: no 70 MiB written.
mkdir -p case
python3 - "$SRCDIR/tests/data/files/postex_lsass_minidump/positive.dmp" <<'PY'
import sys
head = open(sys.argv[1], 'rb').read()
for name, start in (('case/lsass.dmp', head), ('case/big.bin', b'x')):
    with open(name, 'wb') as f:
        f.write(start)
        f.seek(70 * 1024 * 1024)
        f.write(b'\0')
PY
"$EXHUNT" scan -f jsonl --no-progress case > out.jsonl; echo "exit $?"
python3 - <<'PY'
import json
for o in map(json.loads, open('out.jsonl')):
    if o['kind'] == 'finding':
        print(o['rule'], o['file']['sha256'], o['file']['size'])
    else:
        c = o['counts']
        print(c['scanned'], c['skipped'], c['bad_records'])
        for e in o['errors']:
            print(e['path'], e['message'])
PY
