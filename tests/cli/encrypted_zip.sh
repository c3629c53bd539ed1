# An encrypted collection: without --password nothing can be read (exit 3,
# and each member says why); with the right one the ProxyLogon row is found.
mkdir -p C/Logging/HttpProxy/Ecp
cp "$SRCDIR/tests/data/cli/proxylogon.LOG" C/Logging/HttpProxy/Ecp/HttpProxy_2021030204-1.LOG
zip -q -r -P s3cret triage.zip C || exit 77
"$EXHUNT" scan -q --no-progress triage.zip; echo "exit $?"
"$EXHUNT" scan -f jsonl --no-progress triage.zip | grep -o 'member is encrypted; give the password with --password' | head -1
"$EXHUNT" scan -q --no-progress --password wrong triage.zip; echo "exit $?"
"$EXHUNT" scan -q --no-progress --password s3cret triage.zip; echo "exit $?"
