# csv and html exist in the design but not yet: a clear usage error.
"$EXHUNT" scan -f csv "$SRCDIR/tests/data/cli/proxylogon.LOG" 2>&1
echo "status $?"
"$EXHUNT" scan --format=html x 2>&1
echo "status $?"
"$EXHUNT" scan -f xml x 2>&1
