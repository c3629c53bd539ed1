# exhunt probe against nginx on loopback answering like an unpatched, a
# patched and a mitigated Exchange front end (tests/data/probe/nginx.conf.in
# cites the published checks each reply follows). Passive by default: the
# build from X-OWA-Version, the ECP export tool manifest or the OWA path;
# --active adds the CVE-2021-26855 and ProxyShell checks.
. "$SRCDIR/tests/data/probe/servers.sh"
names() { sed -e "s|$U|UNPATCHED|g" -e "s|$P|PATCHED|g" -e "s|$M|MITIGATED|g"; }
"$EXHUNT" probe "$U" "$P" "$M" > out.txt
echo "status $?"
grep -v '^  ' out.txt | names
grep -c '^  critical' out.txt
"$EXHUNT" probe --active -f jsonl --concurrency 2 "$U" "$P" "$M" > out.jsonl
echo "status $?"
grep '"kind":"probe"' out.jsonl | names | sed 's/"open_cve":\[[^]]*\]/"open_cve":[...]/'
grep -o '"rule":"probe_[a-z_]*"' out.jsonl | sort | uniq -c
grep -o '"source":{"type":"probe","path":"[^"]*","url":"[^"]*"' out.jsonl | names | sort -u
# The patched server alone: no finding, exit 0.
"$EXHUNT" probe --targets - > one.txt <<TARGETS
# a comment, then the patched server
$P
TARGETS
echo "status $?"
names < one.txt
