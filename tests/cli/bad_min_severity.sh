# Severity levels are checked; a bad one is a usage error.
"$EXHUNT" scan --min-severity severe x 2>&1
echo "status $?"
"$EXHUNT" scan --fail-on 3 x 2>&1
echo "status $?"
"$EXHUNT" scan -j many x 2>&1
echo "status $?"
"$EXHUNT" scan --min-severity 2>&1
