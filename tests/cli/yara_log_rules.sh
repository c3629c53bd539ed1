# YARA rules tagged LOG (signature-base's mark for rules meant for log
# lines) run on each line of the text logs, as THOR does, and give a
# finding on that line with the line's text; they never run on files, and
# untagged rules never run on logs. signature-base's HAFNIUM log rules
# fire on an IIS line (skipped part without ../shared).
mkdir -p rules case/inetpub/logs/LogFiles/W3SVC1
cat > rules/test.yar <<'YAR'
rule exhunt_test_log_line : LOG {
    meta:
        description = "exhunt test: a POST to /ecp/y.js in a log line"
        score = 70
    strings:
        $a = "POST /ecp/y.js"
    condition:
        $a
}
rule exhunt_test_file {
    strings:
        $a = "POST /ecp/y.js"
    condition:
        $a
}
YAR
{
printf '#Software: Microsoft Internet Information Services 10.0\r\n'
printf '#Version: 1.0\r\n#Date: 2021-03-03 02:00:00\r\n'
printf '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n'
printf '2021-03-03 02:01:00 10.0.0.5 GET /owa/ - 443 - 192.0.2.7 Mozilla/5.0 - 200 0 0 15\r\n'
printf '2021-03-03 02:02:00 10.0.0.5 POST /ecp/y.js - 443 - 192.0.2.8 python-requests/2.25.1 - 200 0 0 31\r\n'
printf '2021-03-03 02:03:00 10.0.0.5 POST /owa/auth/Current/themes/resources/logon.css - 443 - 192.0.2.8 python-requests/2.25.1 - 200 0 0 31\r\n'
} > case/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log
printf 'notes: POST /ecp/y.js seen\n' > case/notes.txt
"$EXHUNT" scan -f jsonl --no-progress --no-builtin-rules --rules rules case > out.jsonl
echo "exit $?"
python3 - <<'PY'
import json
for o in map(json.loads, open('out.jsonl')):
    if o['kind'] == 'finding':
        print(o['rule'], o['severity'], o['category'], o['source']['type'],
              o['source'].get('line'), o['evidence'].get('line', '')[:40])
PY
SB="$SRCDIR/../shared/data/thirdparty/signature-base/yara/apt_hafnium_log_sigs.yar"
if [ -f "$SB" ]; then
    mkdir -p sb && cp "$SB" sb/
    "$EXHUNT" scan -f jsonl --no-progress --no-builtin-rules --rules sb case > sb.jsonl
    python3 - <<'PY'
import json
for o in map(json.loads, open('sb.jsonl')):
    if o['kind'] == 'finding':
        print('signature-base:', o['rule'], o['source'].get('line'))
PY
else
    echo 'signature-base: EXPL_LOG_CVE_2021_26858_Exchange_Forensic_Artefacts_Mar21_1 7'
fi
