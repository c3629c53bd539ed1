# A file whose SHA-256 is in a hash IOC list is a finding with the file's
# facts; the same file with one byte changed is not. MD5 entries are said
# to be unused. The built-in HAFNIUM list loads quietly.
mkdir -p case/inetpub/wwwroot/aspnet_client case/Windows/System32
printf '<%%@ Page Language="C#" %%><!-- exhunt test sample: inert -->\n' > case/inetpub/wwwroot/aspnet_client/a.aspx
printf 'inert other file\n' > case/inetpub/wwwroot/aspnet_client/b.aspx
sum=$(sha256sum case/inetpub/wwwroot/aspnet_client/a.aspx | cut -d' ' -f1)
printf '# test list\n%s;test web shell\nd41d8cd98f00b204e9800998ecf8427e;an md5\n' "$sum" > my-hash-iocs.txt
"$EXHUNT" scan -f jsonl --no-progress --ioc my-hash-iocs.txt case 2>warn.txt > out.jsonl; echo "exit $?"
python3 - "$sum" <<'PY'
import json, sys
lines = [json.loads(l) for l in open('out.jsonl')]
f = [o for o in lines if o['kind'] == 'finding' and o['rule'].startswith('ioc_')]
s = [o for o in lines if o['kind'] == 'summary'][0]
print(len(f), f[0]['rule'], f[0]['category'], f[0]['severity'], f[0]['source']['type'])
print(f[0]['file']['sha256'] == sys.argv[1], f[0]['file']['size'], f[0]['evidence']['ioc_comment'])
print(f[0]['source']['windows_path'])
print(s['verdict']['backdoored'], s['counts']['scanned'])
PY
sed 's/^exhunt: warning: //' warn.txt
