# Commands and options of later versions are refused with exit status 2.
for cmd in probe report; do
    "$EXHUNT" $cmd 15.1.2106.2 2>&1
    echo "status $?"
done
"$EXHUNT" scan --deleted x 2>&1
