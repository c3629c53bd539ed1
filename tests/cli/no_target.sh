# scan without a TARGET is a usage error.
"$EXHUNT" scan -q 2>&1
