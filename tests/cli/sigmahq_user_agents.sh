# SigmaHQ writes webserver user agents as IIS logs them, '+' for a space
# ('Mozilla/5.0+(compatible;+Baiduspider/2.0;++http://...'), while exhunt
# reads IIS's cs-user-agent with '+' as a space: each '+' of such a value
# matches a space or a '+', so SigmaHQ's HAFNIUM rule finds the user-agent
# rows of the hafnium_user_agent_post sample (lines 11 and 15: a Baiduspider
# and a Googlebot POST to aspnet_client; before the fix only the rows its
# path-only selections match, 9, 10, 12 and 14); on HttpProxy rows the user
# agent stands as sent (line 7, '+' as '+'). Skipped without ../shared.
RULE="$SRCDIR/../shared/data/thirdparty/sigma/rules-emerging-threats/2021/TA/HAFNIUM/web_exchange_exploitation_hafnium.yml"
[ -f "$RULE" ] || exit 77
"$EXHUNT" scan -f jsonl --no-progress --no-builtin-rules --rules "$RULE" \
    "$SRCDIR/tests/data/rules/hafnium_user_agent_post/positive" \
    "$SRCDIR/tests/data/rules/hafnium_user_agent_post/positive-httpproxy" > out.jsonl
echo "exit $?"
grep '"rule":"web_exchange_exploitation_hafnium"' out.jsonl | grep -o '"path":"[^"]*/\(u_ex[0-9]*\|HttpProxy_[0-9-]*\)\.[A-Za-z]*"\|"line":[0-9]*' |
    sed 's|"path":".*/|file |' | paste -d' ' - -
