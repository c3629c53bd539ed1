# An unknown option is a usage error (2) that names it, also after a target.
"$EXHUNT" scan "$SRCDIR/tests/data/cli/proxylogon.LOG" --bogus 2>&1
echo "status $?"
"$EXHUNT" scan -Z x 2>&1
echo "status $?"
"$EXHUNT" frobnicate 2>&1
