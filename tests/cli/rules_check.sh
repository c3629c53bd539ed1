# `rules check`: one line per rejected file (Sigma or YARA) with its line
# and reason, one per rule without a reader yet, one per rule the pre-filter
# has no literal for (it still works), then the counts; exit 1 when any is
# rejected.
mkdir -p mine/sub
cat > mine/good.yml <<'YML'
title: Good
logsource: {product: exchange, service: httpproxy}
detection:
  sel:
    AnchorMailbox|startswith: 'ServerInfo~'
  condition: sel
YML
cat > mine/sub/bad.yml <<'YML'
title: Bad
logsource: {product: exchange, service: httpproxy}
detection:
  sel:
    AnchorMailbox|nosuchmod: 'x'
  condition: sel
YML
cat > mine/sub/later.yml <<'YML'
title: Later
logsource: {product: linux, service: auditd}
detection:
  sel:
    type: EXECVE
  condition: sel
YML
# Comparisons and a bare "not" give the pre-filter nothing to search for.
cat > mine/sub/errors.yml <<'YML'
title: Server errors, or anything but GET
logsource: {category: webserver}
detection:
  sel_status:
    sc-status|gte: 500
  sel_get:
    cs-method: GET
  condition: sel_status or not sel_get
YML
printf 'rule good_yara { strings: $a = "exhunt" condition: $a }\n' > mine/good.yar
printf 'rule bad_yara {\n  condition: $missing\n}\n' > mine/sub/bad.yar
"$EXHUNT" rules check mine; echo "exit $?"
rm mine/sub/bad.yml mine/sub/bad.yar
"$EXHUNT" rules check mine; echo "exit $?"
"$EXHUNT" rules check; echo "exit $?"
"$EXHUNT" rules check no-such-folder 2>/dev/null; echo "exit $?"
# The rule without a literal still works: every record goes to it.
mkdir -p logs/W3SVC1
{
    echo '#Software: Microsoft Internet Information Services 10.0'
    echo '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken'
    echo '2021-03-03 04:10:00 10.0.0.5 GET /owa/ - 443 - 203.0.113.9 Mozilla/5.0 - 200 0 0 31'
    echo '2021-03-03 04:11:00 10.0.0.5 GET /owa/x - 443 - 203.0.113.9 Mozilla/5.0 - 503 0 0 31'
    echo '2021-03-03 04:12:00 10.0.0.5 HEAD /owa/ - 443 - 203.0.113.9 Mozilla/5.0 - 200 0 0 31'
} > logs/W3SVC1/u_ex210303.log
"$EXHUNT" scan --no-progress -f jsonl --no-builtin-rules --rules mine/sub/errors.yml logs > out.jsonl
echo "exit $?"
grep -o '"rule":"[^"]*"\|"line":[0-9]*\|"prefilter_passed":[0-9]*' out.jsonl | paste -sd' '
