# An incident's story quotes values (user agents, clients, files) cut at
# 200 bytes: never inside a UTF-8 character, and with "..." where cut. The
# golden case correlation/webshell_story, its IIS curl user agent made 199
# bytes of 'A' then an 'é' (2 bytes) then more.
cp -R "$SRCDIR/tests/cases/correlation/webshell_story" story
python3 - <<'PY'
import re
p = "story/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"
text = open(p, encoding="utf-8").read()
agent = "A" * 199 + "\u00e9" + "tail"
text = text.replace("curl/7.68.0", agent)
open(p, "w", encoding="utf-8").write(text)
PY
"$EXHUNT" scan -f jsonl --no-progress story 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["kind"] == "summary":
        for inc in o["incidents"]:
            s = inc["story"]
            print("AAAA... in story:", "A" * 199 + "..." in s,
                  "split character:", "\\xC3" in s, "tail quoted:", "tail" in s)'
