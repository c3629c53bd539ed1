# Mitigations in IIS configuration: EOMT's and EOMTv2's URL Rewrite rules in
# wwwroot's web.config, the ECP and OAB pools set not to start in
# applicationHost.config. They cover some open CVEs (findings drop to low
# and name the mitigation); OWASSRF (CVE-2022-41080) bypassed the 2022 rule,
# so the verdict stays yes. Unmitigated configuration changes nothing.
mk="$SRCDIR/tests/data/build/make_exsetup.sh"
data="$SRCDIR/tests/data/build/mitigations"
v15="vol/C/Program Files/Microsoft/Exchange Server/V15"
mkdir -p "$v15/Bin" vol/C/inetpub/wwwroot vol/C/Windows/System32/inetsrv/config
"$mk" "$v15/Bin/ExSetup.exe" 15,1,2507,13 15.01.2507.013 || exit $?
cp "$data/applicationHost.unmitigated.config" \
    vol/C/Windows/System32/inetsrv/config/applicationHost.config
"$EXHUNT" scan -f jsonl --no-progress vol > out.jsonl
grep -o '"verdict":{"vulnerable":"[^"]*"' out.jsonl
grep -o '"mitigations":\[[^]]*\]' out.jsonl
cp "$data/web.config" vol/C/inetpub/wwwroot/web.config
cp "$data/applicationHost.config" vol/C/Windows/System32/inetsrv/config/
"$EXHUNT" scan -f jsonl --no-progress vol > out.jsonl
echo "status $?"
grep -o '"verdict":{"vulnerable":"[^"]*"' out.jsonl
grep -o '"mitigations":\[[^]]*\]' out.jsonl
grep -o '"severity":"[a-z]*","category":"vulnerable","cve":\["[^"]*"\]' out.jsonl
grep -o '"mitigated_by":"[^"]*"' out.jsonl
grep -o 'Mitigations in place cover [^.]*\.' out.jsonl
