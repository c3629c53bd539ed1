# A malformed build string, a build of no covered product and usage errors
# exit with status 2, with a clear message.
for v in 15.1 15.1.2176.2.1 15.1.x.2 15.1.2176.99999 8.3.517.0; do
    "$EXHUNT" build "$v" 2>&1
    echo "status $?"
done
"$EXHUNT" build 2>&1
echo "status $?"
"$EXHUNT" build -f csv 15.1.2176.2 2>&1
echo "status $?"
"$EXHUNT" build 15.1.2176.2 15.1.2176.9 2>&1
echo "status $?"
"$EXHUNT" build ./no/such/folder 2>&1
echo "status $?"
