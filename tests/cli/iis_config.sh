# In a volume, IIS's configuration folder is scanned: an applicationHost.config
# with a virtual directory served from ProgramData is a high finding with its
# Windows path; a stock one is not. Other System32 files stay out of scope.
mkdir -p vol/Windows/System32/inetsrv/config vol/Program\ Files
cp "$SRCDIR/tests/data/files/postex_iis_vdir_in_programdata_or_users/positive-programdata.config" \
    vol/Windows/System32/inetsrv/config/applicationHost.config
cp "$SRCDIR/tests/data/files/postex_iis_vdir_in_programdata_or_users/negative-exchange.config" \
    vol/Windows/System32/inetsrv/config/redirection.config
cp vol/Windows/System32/inetsrv/config/applicationHost.config vol/Windows/System32/other.config
"$EXHUNT" scan -f jsonl --no-progress vol > out.jsonl; echo "exit $?"
python3 - <<'PY'
import json
lines = [json.loads(l) for l in open('out.jsonl')]
for o in lines:
    if o['kind'] == 'finding':
        print(o['rule'], o['severity'], o['category'], o['source']['windows_path'])
s = [o for o in lines if o['kind'] == 'summary'][0]
print(s['verdict']['backdoored'], s['counts']['scanned'])
PY
