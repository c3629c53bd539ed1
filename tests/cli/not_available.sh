# Commands and options of later versions are refused with exit status 2.
"$EXHUNT" scan --shadows x 2>&1
