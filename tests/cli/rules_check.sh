# `rules check`: one line per rejected file (Sigma or YARA) with its line
# and reason, one per rule without a reader yet, then the counts; exit 1
# when any is rejected.
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
printf 'rule good_yara { strings: $a = "exhunt" condition: $a }\n' > mine/good.yar
printf 'rule bad_yara {\n  condition: $missing\n}\n' > mine/sub/bad.yar
"$EXHUNT" rules check mine; echo "exit $?"
rm mine/sub/bad.yml mine/sub/bad.yar
"$EXHUNT" rules check mine; echo "exit $?"
"$EXHUNT" rules check; echo "exit $?"
"$EXHUNT" rules check no-such-folder 2>/dev/null; echo "exit $?"
