# -q prints one verdict line per unit and nothing else; options may follow
# the targets.
cd "$SRCDIR/tests/data/cli"
"$EXHUNT" scan proxylogon.LOG low_only.LOG -q 2>&1
