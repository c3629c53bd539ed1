# --shadows reads the volume shadow copies of disk images only: on a folder
# it changes nothing (tests/images.py tests it on images).
"$EXHUNT" scan -f jsonl --no-progress "$SRCDIR/examples" > a
"$EXHUNT" scan -f jsonl --no-progress --shadows "$SRCDIR/examples" > b
cmp -s a b && echo "same output"
grep -c '"kind":"finding"' b
