# exhunt report re-renders saved JSON lines without rescanning: the same
# text, csv and JSON lines as the scan itself (html too, but for its random
# CSP nonce). A truncated file, one of a newer schema, or one that is not
# exhunt's gives a clear message naming the line and exit status 3 (what
# came before is still rendered); odd value types render without a crash.
"$EXHUNT" scan --no-progress -f jsonl -o f.jsonl "$SRCDIR/examples"
echo "scan status $?"
for fmt in text csv jsonl html; do
    "$EXHUNT" scan --no-progress -f $fmt -o scan.$fmt "$SRCDIR/examples"
    "$EXHUNT" report -f $fmt -o report.$fmt f.jsonl
    echo "report -f $fmt status $?"
    grep -v nonce scan.$fmt > a; grep -v nonce report.$fmt > b
    cmp -s a b && echo "  same as the scan's" || echo "  DIFFERS from the scan's"
done
"$EXHUNT" report - < f.jsonl | cmp -s - scan.text && echo "stdin: same"
head -c 3000 f.jsonl > cut.jsonl
"$EXHUNT" report cut.jsonl 2>&1 >/dev/null
"$EXHUNT" report cut.jsonl >/dev/null 2>&1; echo "exit $?"
# Cut exactly after a finding's line: the unit's summary is missing.
head -n 3 f.jsonl > lines.jsonl
"$EXHUNT" report lines.jsonl 2>&1 >/dev/null; echo "exit $?"
sed 's/"schema":1,/"schema":2,/' f.jsonl > newer.jsonl
"$EXHUNT" report newer.jsonl 2>&1 >/dev/null; echo "exit $?"
echo '{"a":1}' > other.jsonl
"$EXHUNT" report other.jsonl 2>&1 >/dev/null; echo "exit $?"
"$EXHUNT" report missing.jsonl 2>&1 >/dev/null | sed 's/: No such.*/: (errno)/'
"$EXHUNT" report missing.jsonl >/dev/null 2>&1; echo "exit $?"
"$EXHUNT" report 2>&1 | head -1; "$EXHUNT" report >/dev/null 2>&1; echo "exit $?"
# Line 1 has a verdict that is not a string (stops the replay); line 2
# has arrays of the wrong types everywhere else: rendered, no crash.
tail -n 1 "$SRCDIR/fuzz/corpus/jsonl/odd_types" > odd.jsonl
for fmt in text csv html jsonl; do
    "$EXHUNT" report -f $fmt "$SRCDIR/fuzz/corpus/jsonl/odd_types" >/dev/null 2>&1
    a=$?
    "$EXHUNT" report -f $fmt odd.jsonl >/dev/null 2>&1
    echo "odd types -f $fmt exit $a, line 2 alone exit $?"
done
