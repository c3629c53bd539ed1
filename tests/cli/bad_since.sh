# --since and --until must be ISO 8601 times; a bad one is a usage error.
"$EXHUNT" scan --since yesterday "$SRCDIR/tests/data/cli/proxylogon.LOG" 2>&1
echo "status $?"
"$EXHUNT" scan --since 2021-03-03 --until 2021-03-02 x 2>&1
echo "status $?"
"$EXHUNT" scan --until 2021-13-01 x 2>&1
