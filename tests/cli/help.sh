# --help, `help` and `scan --help` print the same usage on stdout, exit 0.
"$EXHUNT" --help > a || exit 1
"$EXHUNT" help > b || exit 1
"$EXHUNT" scan --help > c || exit 1
cmp -s a b && cmp -s a c && echo "same text"
head -n 4 a
grep -c -- '--min-severity LEVEL' a
