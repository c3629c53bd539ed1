# A Windows Error Report of the ECP application pool crashing, where Windows
# keeps them in a volume, is an attempt: exploited says so, backdoored does
# not change.
d='vol/ProgramData/Microsoft/Windows/WER/ReportArchive/AppCrash_w3wp.exe_1234'
mkdir -p "$d" vol/Windows/System32
cp "$SRCDIR/tests/data/files/exchange_wer_ecp_app_pool_crash/positive-Report.wer" "$d/Report.wer"
"$EXHUNT" scan -f jsonl --no-progress vol > out.jsonl; echo "exit $?"
python3 - <<'PY'
import json
lines = [json.loads(l) for l in open('out.jsonl')]
for o in lines:
    if o['kind'] == 'finding':
        print(o['rule'], o['severity'], o['category'], o['cve'], o['source']['windows_path'])
s = [o for o in lines if o['kind'] == 'summary'][0]
print(s['verdict']['exploited'], s['verdict']['backdoored'])
PY
# Another Exchange pool (OWA) is a low attempt: backdoored does not move.
d='vol2/ProgramData/Microsoft/Windows/WER/ReportArchive/AppCrash_w3wp.exe_5678'
mkdir -p "$d" vol2/Windows/System32
cp "$SRCDIR/tests/data/files/exchange_wer_app_pool_crash/positive-owa-pool.wer" "$d/Report.wer"
"$EXHUNT" scan -f jsonl --no-progress vol2 > out.jsonl; echo "exit $?"
python3 - <<'PY'
import json
lines = [json.loads(l) for l in open('out.jsonl')]
for o in lines:
    if o['kind'] == 'finding':
        print(o['rule'], o['severity'], o['category'], o['cve'], o['source']['windows_path'])
s = [o for o in lines if o['kind'] == 'summary'][0]
print(s['verdict']['exploited'], s['verdict']['backdoored'])
PY
