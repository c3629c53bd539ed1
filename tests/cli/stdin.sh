# "-" reads one log from standard input.
cat "$SRCDIR/tests/data/cli/proxylogon.LOG" | "$EXHUNT" scan -q --no-progress -
