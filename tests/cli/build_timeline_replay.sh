# The summary's build.timeline (the builds the logs show: an HttpProxy
# header and ECP rows' S:BLD= that agree, an older ECP build) is written in
# JSON lines and in the text report, and exhunt report replays it: the same
# JSON lines and text as the scan's.
case="$SRCDIR/tests/cases/build/ecp_httpproxy_agree"
cp -r "$case" .
"$EXHUNT" scan --no-progress -f jsonl -o f.jsonl ecp_httpproxy_agree
echo "scan status $?"
grep -o '"timeline":\[[^]]*\][^]]*\]' f.jsonl
for fmt in jsonl text; do
    "$EXHUNT" scan --no-progress -f $fmt -o scan.$fmt ecp_httpproxy_agree
    "$EXHUNT" report -f $fmt -o report.$fmt f.jsonl
    cmp -s scan.$fmt report.$fmt && echo "report -f $fmt: same as the scan's" ||
        echo "report -f $fmt: DIFFERS from the scan's"
done
grep -A4 '^Build timeline' report.text
# A timeline entry without a version is dropped; odd types render.
sed 's/"version":"15.1.2176.2","first"/"first"/; s/"sources":\["log-header",/"sources":[1,null,/' f.jsonl > odd.jsonl
"$EXHUNT" report -f jsonl odd.jsonl | grep -o '"timeline":\[[^]]*\][^]]*\]'
echo "odd status ${PIPESTATUS[0]}"
