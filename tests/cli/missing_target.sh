# A target that does not exist: a message on stderr and exit status 3.
"$EXHUNT" scan --no-progress does-not-exist 2>&1 >/dev/null
