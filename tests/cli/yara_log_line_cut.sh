# The line a YARA rule tagged LOG matched is kept to its first 1,024 bytes
# in evidence, cut at a character boundary (an 'é' across the limit is not
# split into \xC3) and marked with the line's full length.
mkdir -p rules case/inetpub/logs/LogFiles/W3SVC1
cat > rules/test.yar <<'YAR'
rule exhunt_test_log_line : LOG {
    strings:
        $a = "POST /ecp/y.js"
    condition:
        $a
}
YAR
python3 - <<'PY'
head = ('#Software: Microsoft Internet Information Services 10.0\r\n'
        '#Version: 1.0\r\n#Date: 2021-03-03 02:00:00\r\n'
        '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port '
        'cs-username c-ip cs(User-Agent) sc-status\r\n').encode()
row = b'2021-03-03 02:02:00 10.0.0.5 POST /ecp/y.js - 443 - 192.0.2.8 '
row += b'A' * (1023 - len(row)) + 'é'.encode() + b'TAIL 200\r\n'
open('case/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log', 'wb').write(head + row)
print('line bytes', len(row) - 2)
PY
"$EXHUNT" scan -f jsonl --no-progress --no-builtin-rules --rules rules case > out.jsonl
echo "exit $?"
python3 - <<'PY'
import json
for o in map(json.loads, open('out.jsonl', encoding='utf-8')):
    if o['kind'] == 'finding':
        line = o['evidence']['line']
        print(o['rule'], o['source']['line'], line.count('A'), '\\xC3' in line,
              line[-30:])
PY
