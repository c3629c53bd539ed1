# exhunt build TARGET: the build installed in evidence. ExSetup.exe's
# version resource (a real PE made by windres) wins over OWA's version
# folders (CU level only); the highest OWA folder is the current CU; a
# TARGET without either exits 3; broken PE files are no build, not a crash.
mk="$SRCDIR/tests/data/build/make_exsetup.sh"
v15="vol/Program Files/Microsoft/Exchange Server/V15"
mkdir -p "$v15/Bin" "$v15/FrontEnd/HttpProxy/owa/auth/15.1.2106/themes" \
    "$v15/FrontEnd/HttpProxy/owa/auth/15.1.2176/themes"
echo x > "$v15/FrontEnd/HttpProxy/owa/auth/15.1.2106/themes/logon.css"
echo x > "$v15/FrontEnd/HttpProxy/owa/auth/15.1.2176/themes/logon.css"
"$mk" "$v15/Bin/ExSetup.exe" 15,1,2176,9 15.01.2176.009 || exit $?
# A second copy outside Bin (an installer cache) loses to the one in Bin.
mkdir -p vol/cache
"$mk" vol/cache/ExSetup.exe 15,1,2375,37 15.01.2375.037 || exit $?
"$EXHUNT" build -f jsonl vol
echo "status $?"
"$EXHUNT" build "$v15/Bin/ExSetup.exe" | head -n 2
rm "$v15/Bin/ExSetup.exe" vol/cache/ExSetup.exe
"$EXHUNT" build vol | head -n 3
rm -r "$v15/FrontEnd"
"$EXHUNT" build vol 2>&1
echo "status $?"
# Not Exchange, truncated, garbage: no build, exit 3.
"$mk" vol/ExSetup.exe 10,0,1,0 10.0.1.0 "Some Other Product" || exit $?
head -c 700 vol/ExSetup.exe > vol/cut.exe
mkdir -p vol/Bin && cp vol/cut.exe vol/Bin/ExSetup.exe
head -c 4096 /dev/urandom > vol/cache/ExSetup.exe
printf 'MZ' > vol/cache/tiny.exe
"$EXHUNT" build vol 2>&1
echo "status $?"
"$EXHUNT" build vol/cut.exe 2>&1
echo "status $?"
