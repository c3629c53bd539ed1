# A log with only low findings: exit 0 by default (--fail-on medium) and
# with --fail-on critical; 1 with --fail-on low. Hidden findings count too.
log="$SRCDIR/tests/data/cli/low_only.LOG"
"$EXHUNT" scan -q --no-progress "$log" > /dev/null
echo "default: $?"
"$EXHUNT" scan -q --no-progress --fail-on low "$log" > /dev/null
echo "fail-on low: $?"
"$EXHUNT" scan -q --no-progress --fail-on low --min-severity critical "$log" > /dev/null
echo "fail-on low, min-severity critical: $?"
"$EXHUNT" scan -q --no-progress --fail-on critical "$log" > /dev/null
