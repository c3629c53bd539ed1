# --rules names a folder that does not exist: a usage error.
"$EXHUNT" scan --rules no-such-rules "$SRCDIR/tests/data/cli/proxylogon.LOG" 2>&1
echo "status $?"
"$EXHUNT" rules list --rules no-such-rules 2>&1
