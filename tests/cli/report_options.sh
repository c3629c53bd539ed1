# exhunt report's option errors are scan's (options.c): a bad level, an
# unknown format, a missing value and an unknown option name the option as
# typed; each is a usage error (2) before the input is read.
echo '{}' > f.jsonl
"$EXHUNT" report --fail-on severe f.jsonl 2>&1; echo "status $?"
"$EXHUNT" report --min-severity 3 f.jsonl 2>&1; echo "status $?"
"$EXHUNT" report -f pdf f.jsonl 2>&1; echo "status $?"
"$EXHUNT" report f.jsonl -f 2>&1; echo "status $?"
"$EXHUNT" report f.jsonl --output 2>&1; echo "status $?"
"$EXHUNT" report --bogus f.jsonl 2>&1; echo "status $?"
"$EXHUNT" report -Z f.jsonl 2>&1; echo "status $?"
# the same level error from scan, word for word
"$EXHUNT" scan --fail-on severe f.jsonl 2>&1; echo "status $?"
