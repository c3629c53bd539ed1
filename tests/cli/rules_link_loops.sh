# Links in a rules folder are followed (the folders are the user's own),
# but each folder is walked and each rule file loaded once: loops through
# "." or "..", a second name for a loaded file and a folder given twice
# neither hang the load nor load a rule twice.
mkdir -p loops mine/sub other
cat > mine/x.yml <<'YML'
title: Forged back-end
name: my_serverinfo
logsource: {product: exchange, service: httpproxy}
detection:
  sel:
    AnchorMailbox|startswith: 'ServerInfo~'
  condition: sel
YML
cat > other/o.yml <<'YML'
title: Python client
name: my_python
logsource: {product: exchange, service: httpproxy}
detection:
  sel:
    UserAgent|startswith: 'python-requests/'
  condition: sel
YML
cp mine/x.yml loops/x.yml
# Two links to "." each: 2^32 paths when only depth bounds the walk.
ln -s . loops/a
ln -s . loops/b
timeout 20 "$EXHUNT" rules check loops; echo "exit $?"
ln -s .. mine/sub/up
ln -s x.yml mine/y.yml
ln -s ../other mine/ext
timeout 20 "$EXHUNT" rules check mine; echo "exit $?"
timeout 20 "$EXHUNT" rules check mine other mine/x.yml; echo "exit $?"
log="$SRCDIR/tests/data/rules/proxylogon_ssrf_serverinfo/positive"
timeout 20 "$EXHUNT" scan --no-progress -f jsonl --no-builtin-rules \
    --rules mine --rules other "$log" > out.jsonl
echo "exit $?"
# One finding per rule and matching line (3 lines match each), not more.
grep -o '"rule":"my_[^"]*"' out.jsonl | sort | uniq -c | awk '{print $2, $1}'
