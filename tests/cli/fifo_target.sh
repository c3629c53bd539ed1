# A named pipe given as target is read like stdin: the scan waits for its
# writer and reads to the end (it used to find no writer yet and read
# nothing, leaving the writer blocked). FIFOs inside folders are ignored.
mkfifo pipe.LOG
( sleep 1; timeout 20 sh -c 'cat "$1" > pipe.LOG' sh \
    "$SRCDIR/tests/data/cli/proxylogon.LOG" ) &
writer=$!
"$EXHUNT" scan -q --no-progress pipe.LOG
status=$?
wait $writer || echo "writer: exit $? (still blocked)"
mkdir folder
mkfifo folder/HttpProxy_2021030304-1.LOG
"$EXHUNT" scan -q --no-progress folder
echo "folder: exit $?"
exit $status
