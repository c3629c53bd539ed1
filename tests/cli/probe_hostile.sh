# Servers that stall, send endless headers, an endless body or garbage, a
# closed port and URLs that are not http(s): each gets a clear error (or,
# for the endless body, what its headers said), the others go on, and the
# whole run ends within its timeout. Exit 3 when a target could not be
# checked and nothing was found.
. "$SRCDIR/tests/data/probe/servers.sh"
H=http://127.0.0.1
start=$(date +%s)
"$EXHUNT" probe --timeout 2 "$H:$HOSTILE" "$H:$((HOSTILE+1))" "$H:$((HOSTILE+3))" \
    "ftp://example.org" "https://user@evil/" "$P" 2>&1 | sed -e "s|$H:$HOSTILE|STALL|" \
    -e "s|$H:$((HOSTILE+1))|HEADERS|" -e "s|$H:$((HOSTILE+3))|GARBAGE|" -e "s|$P|PATCHED|"
echo "status ${PIPESTATUS[0]}"
"$EXHUNT" probe --timeout 2 -f jsonl "$H:$((HOSTILE+2))" | grep -c '"kind":"probe","url":"[^"]*","error":null'
end=$(date +%s)
[ $((end - start)) -lt 15 ] && echo "within the timeouts"
"$EXHUNT" probe --concurrency 0 x 2>&1
echo "status $?"
"$EXHUNT" probe 2>&1
echo "status $?"
