# scan reports the installed build: ExSetup.exe's version resource (a real
# PE made by windres) over OWA's version folders, one vulnerable finding per
# open covered CVE, exit 1; a fully patched build gives vulnerable=no.
mk="$SRCDIR/tests/data/build/make_exsetup.sh"
v15="vol/C/Program Files/Microsoft/Exchange Server/V15"
mkdir -p "$v15/Bin" "$v15/FrontEnd/HttpProxy/owa/auth/15.1.2176/themes" \
    vol/C/Windows/System32
echo x > "$v15/FrontEnd/HttpProxy/owa/auth/15.1.2176/themes/logon.css"
"$mk" "$v15/Bin/ExSetup.exe" 15,1,2176,14 15.01.2176.014 || exit $?
"$EXHUNT" scan -q --no-progress vol
echo "status $?"
"$EXHUNT" scan -f jsonl --no-progress vol > out.jsonl
echo "status $?"
grep -c '"category":"vulnerable"' out.jsonl
grep -o '"rule":"exchange_build_open_cve"[^}]*"cve":\["[^"]*"\]' out.jsonl |
    sed 's/.*"cve":/cve /'
grep -o '"build":{"version":"[^"]*","product":"[^"]*","update":"[^"]*"' out.jsonl
grep -o '"windows_path":"[^"]*ExSetup.exe"' out.jsonl | sort -u
"$mk" "$v15/Bin/ExSetup.exe" 15,1,2375,37 15.01.2375.037 || exit $?
"$EXHUNT" scan -q --no-progress vol
echo "status $?"
# Without ExSetup.exe: the OWA folder gives the CU level only.
rm "$v15/Bin/ExSetup.exe"
"$EXHUNT" scan -f jsonl --no-progress vol | grep -o '"vulnerable":"[^"]*"[^}]*CU level only[^"]*"' | head -c 120
echo
