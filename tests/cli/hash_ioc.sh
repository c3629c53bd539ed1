# A file whose SHA-256, SHA-1 or MD5 is in a hash IOC list is a finding with
# the file's facts and the digest that matched; a file whose digests are not
# listed is not. A file listed by two of its digests in one list is one
# finding. A line that holds no hash is counted in a warning.
mkdir -p case/inetpub/wwwroot/aspnet_client case/Windows/System32
d=case/inetpub/wwwroot/aspnet_client
printf '<%%@ Page Language="C#" %%><!-- exhunt test sample: inert -->\n' > $d/a.aspx
printf 'inert other file\n' > $d/b.aspx
printf 'inert file listed by MD5\n' > $d/c.aspx
printf 'inert file listed by SHA-1\n' > $d/d.aspx
sum=$(sha256sum $d/a.aspx | cut -d' ' -f1)
{
    printf '# test list\n%s;test web shell\n' "$sum"
    printf '%s;a by md5 too\n' "$(md5sum $d/a.aspx | cut -d' ' -f1)"
    printf '%s;listed by md5\n' "$(md5sum $d/c.aspx | cut -d' ' -f1 | tr a-f A-F)"
    printf '%s\n' "$(sha1sum $d/d.aspx | cut -d' ' -f1)"
    printf 'not-a-hash;junk\n'
} > my-hash-iocs.txt
"$EXHUNT" scan -f jsonl --no-progress --ioc my-hash-iocs.txt case 2>warn.txt > out.jsonl; echo "exit $?"
python3 - "$sum" <<'PY'
import hashlib, json, sys
lines = [json.loads(l) for l in open('out.jsonl')]
f = [o for o in lines if o['kind'] == 'finding' and o['rule'].startswith('ioc_')]
s = [o for o in lines if o['kind'] == 'summary'][0]
print(len(f), f[0]['rule'], f[0]['category'], f[0]['severity'], f[0]['source']['type'])
for o in sorted(f, key=lambda o: o['source']['path']):
    e = o['evidence']
    print(o['source']['windows_path'], sorted(e), e.get('ioc_comment', ''))
a = [o for o in f if o['source']['path'].endswith('a.aspx')][0]
print(a['file']['sha256'] == sys.argv[1], a['file']['size'])
for o in f:
    data = open(o['source']['path'], 'rb').read()
    for k in ('md5', 'sha1', 'sha256'):
        if k in o['evidence']:
            print(k, o['evidence'][k] == hashlib.new(k, data).hexdigest())
print(s['verdict']['backdoored'], s['counts']['scanned'])
PY
sed 's/^exhunt: warning: //' warn.txt
