# Services of a SYSTEM hive (made by our seed-hive generator, checked with
# hivexsh) under the control set Select\Current names: a program in a drop
# zone (ImagePath or Parameters\ServiceDll), or cmd/PowerShell as the
# program, is persistence (post-exploitation, source.type "registry").
# Stock services (svchost, Exchange's Bin, Windows Defender's own folder in
# ProgramData) and services of the control set not in use are not.
command -v hivexsh >/dev/null || exit 77
mkhive="python3 $SRCDIR/tests/data/build/make_hive.py"
cfg=vol/C/Windows/System32/config
mkdir -p "$cfg"
svc='ControlSet001\Services'
$mkhive "$cfg/SYSTEM" Select Current dword:1 \
    "$svc\Dnscache" ImagePath 'expand:%SystemRoot%\system32\svchost.exe -k NetworkService -p' \
    "$svc\Dnscache\Parameters" ServiceDll 'expand:%SystemRoot%\System32\dnsrslvr.dll' \
    "$svc\MSExchangeFrontEndTransport" ImagePath 'sz:"C:\Program Files\Microsoft\Exchange Server\V15\Bin\MSExchangeFrontendTransport.exe"' \
    "$svc\WinDefend" ImagePath 'expand:"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.2011.6-0\MsMpEng.exe"' \
    "$svc\Tcpip" ImagePath 'expand:System32\drivers\tcpip.sys' \
    "$svc\Updater" ImagePath 'expand:C:\ProgramData\Updater\svc.exe' \
    "$svc\hlpsvc" ImagePath 'expand:%COMSPEC% /c powershell -ec SQBFAFgA' \
    "$svc\dllsvc" ImagePath 'expand:%SystemRoot%\system32\svchost.exe -k netsvcs' \
    "$svc\dllsvc\Parameters" ServiceDll 'expand:C:\Users\Public\x.dll' \
    "$svc\psvc" ImagePath 'expand:powershell.exe -nop -w hidden -c iex' \
    'ControlSet002\Services\Old' ImagePath 'expand:C:\ProgramData\old.exe'
printf 'cd ControlSet001\\Services\\Updater\nlsval ImagePath\n' | hivexsh "$cfg/SYSTEM"
"$EXHUNT" scan -f jsonl --no-progress vol > out.jsonl
echo "status $?"
"$EXHUNT" rules list -f jsonl > rules.jsonl
python3 - <<'PY'
import json
rows = [json.loads(l) for l in open('out.jsonl', encoding='utf-8')]
for r in sorted((r for r in rows if r['kind'] == 'finding'),
                key=lambda r: r['evidence']['name']):
    e = r['evidence']
    print(r['rule'], r['severity'], r['category'], r['source']['type'],
          r['source']['windows_path'], e['key'],
          e.get('image_path', e.get('service_dll')), '|', e['reason'])
s = [r for r in rows if r['kind'] == 'summary'][0]
print('backdoored:', s['verdict']['backdoored'])
# Each finding's rule is listed by `rules list` as it is reported.
listed = {r['name']: r for r in map(json.loads, open('rules.jsonl'))}
print(all((r['severity'], r['category'], r['rule_source']) ==
          (listed[r['rule']]['severity'], listed[r['rule']]['category'],
           listed[r['rule']]['source'])
          for r in rows if r['kind'] == 'finding'))
PY
# Only stock services: no finding, exit 0.
$mkhive "$cfg/SYSTEM" Select Current dword:1 \
    "$svc\Dnscache" ImagePath 'expand:%SystemRoot%\system32\svchost.exe -k NetworkService -p' \
    "$svc\WinDefend" ImagePath 'expand:"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.2011.6-0\MsMpEng.exe"' \
    'ControlSet002\Services\Old' ImagePath 'expand:cmd.exe /c C:\ProgramData\old.bat'
"$EXHUNT" scan -q --no-progress vol
echo "status $?"
# A hive cut short: no services, no crash.
head -c 6000 "$cfg/SYSTEM" > cut && mv cut "$cfg/SYSTEM"
"$EXHUNT" scan -q --no-progress vol
echo "status $?"
