# Hostile ExSetup.exe files (tests/data/build/hostile_pe.py breaks a real PE
# made by windres in one place each: resource directory loops, offsets past
# the file, absurd counts and sizes, a zero-length version block, a cut
# resource section): each is read through libyara's pe module within
# bounds, gives no build or the intact build, never a crash or a hang; a
# volume whose ExSetup.exe is hostile falls back to OWA's version folders.
mk="$SRCDIR/tests/data/build/make_exsetup.sh"
"$mk" good.exe 15,1,2176,9 15.01.2176.009 || exit $?
mkdir bad
python3 "$SRCDIR/tests/data/build/hostile_pe.py" good.exe bad || exit 1
for f in bad/*.exe; do
    cmp -s good.exe "$f" && echo "$f: unchanged"
    timeout 60 "$EXHUNT" build -f jsonl "$f" > out.jsonl 2> err.txt
    st=$?
    v=$(grep -o '"version":"[^"]*"' out.jsonl)
    echo "$(basename "$f" .exe): status $st ${v:-no build} $(grep -c 'no Exchange build found' err.txt)"
done
v15="vol/Program Files/Microsoft/Exchange Server/V15"
mkdir -p "$v15/Bin" "$v15/FrontEnd/HttpProxy/owa/auth/15.1.2176/themes"
echo x > "$v15/FrontEnd/HttpProxy/owa/auth/15.1.2176/themes/logon.css"
cp bad/loop_deep.exe "$v15/Bin/ExSetup.exe"
timeout 60 "$EXHUNT" build vol | head -n 2
echo "status ${PIPESTATUS[0]}"
# A scan of every hostile file as a plain folder: read whole, no crash.
timeout 120 "$EXHUNT" scan -f jsonl --no-progress bad > scan.jsonl
echo "scan status $?"
grep -o '"scanned":[0-9]*' scan.jsonl
