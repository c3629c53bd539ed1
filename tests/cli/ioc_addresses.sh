# --ioc: an address list (by its name) matches client addresses as
# suspicious findings naming the list; bad entries and lists of kinds not
# used yet are said so; a missing path is a usage error.
printf '# addresses seen in the intrusion\n198.51.100.7;attacker\n10.9.0.0/16\nnot an address!\n' > case-address-iocs.txt
printf 'd41d8cd98f00b204e9800998ecf8427e;empty\nxyz;no hash\n' > hash-iocs.txt
"$EXHUNT" scan -f jsonl --no-progress --ioc case-address-iocs.txt --ioc hash-iocs.txt \
    "$SRCDIR/tests/data/cli/proxylogon.LOG" 2>warnings.txt > out.jsonl
echo "exit $?"
grep -o '"rule":"ioc_[^"]*","rule_id":null,"rule_source":"case-address-iocs.txt"' out.jsonl | sort | uniq -c
grep -o '"category":"suspicious"' out.jsonl | sort | uniq -c
sed 's/^exhunt: warning: //' warnings.txt
"$EXHUNT" scan --ioc no-such-list.txt x 2>&1; echo "exit $?"
# EWS protocol logs: their ClientIpAddress too (a network of the list).
printf '203.0.113.0/26\n' > ews-address-iocs.txt
"$EXHUNT" scan -f jsonl --no-progress --ioc ews-address-iocs.txt \
    "$SRCDIR/tests/data/rules/ews_impersonation/positive" 2>/dev/null > ews.jsonl
grep -o '"rule":"ioc_ews-address-iocs"' ews.jsonl | uniq -c
printf '198.51.100.0/24\n' > ews-other-iocs.txt
"$EXHUNT" scan -f jsonl --no-progress --ioc ews-other-iocs.txt \
    "$SRCDIR/tests/data/rules/ews_impersonation/positive" 2>/dev/null |
    grep -c '"rule":"ioc_ews-other-iocs"'
exit 0
