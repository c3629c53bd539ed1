# A ProxyLogon log (a critical finding) gives exit status 1 by default.
"$EXHUNT" scan --no-progress "$SRCDIR/tests/data/cli/proxylogon.LOG" > report.txt
