# A file-name IOC list (signature-base's REGEX;SCORE[;FALSE_POSITIVE_REGEX])
# matches the files' Windows paths: severity from the score, the entry's
# comment as evidence, a path its false-positive regex matches spared,
# "(?i)" honoured and case kept otherwise; entries with environment
# variables and regexes PCRE2 rejects are counted in a warning.
mkdir -p case/Windows/System32 case/ProgramData/Tools case/inetpub/wwwroot/aspnet_client
echo x > case/ProgramData/Tools/evil-dropper.exe
echo x > case/ProgramData/Tools/EVIL-DROPPER.EXE
echo x > case/ProgramData/Tools/Mixed-Case.Dll
echo x > case/ProgramData/Tools/spared-dropper.exe
echo x > case/ProgramData/Tools/quiet.txt
cat > case-filename-iocs.txt <<'LIST'
# Dropper names seen in the test intrusion
\\ProgramData\\Tools\\[a-z]+-dropper\.exe;85;\\spared-dropper\.exe
# Case-insensitive entry
(?i)\\mixed-case\.dll;60
\\quiet\.txt;40
%APPDATA%\\x\.exe;90
\\broken(regex;80
LIST
"$EXHUNT" scan -f jsonl --no-progress --ioc case-filename-iocs.txt case 2>warn.txt > out.jsonl; echo "exit $?"
python3 - <<'PY'
import json
lines = [json.loads(l) for l in open('out.jsonl')]
f = [o for o in lines if o['kind'] == 'finding' and o['rule'].startswith('ioc_')]
for o in sorted(f, key=lambda o: o['source']['path']):
    e = o['evidence']
    print(o['source']['windows_path'], o['rule'], o['severity'], o['category'],
          e['ioc_score'], e.get('ioc_comment', '-'))
PY
sed 's/^exhunt: warning: //' warn.txt
