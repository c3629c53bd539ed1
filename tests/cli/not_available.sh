# Commands and options of later versions are refused with exit status 2.
"$EXHUNT" report 15.1.2106.2 2>&1
echo "status $?"
"$EXHUNT" scan --shadows x 2>&1
