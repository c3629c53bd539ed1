# A log is known by a "#Log-type:" directive among the '#' lines it starts
# with, not by one quoted further in: a script that writes HttpProxy logs
# (tests/make_examples.py is one) is no HttpProxy log, and its lines are
# no records. An HttpProxy log whose header lines are missing is read, and
# the summary says its records could not be matched (fields unknown).
# Rows from tests/data/cli/proxylogon.LOG (itself from ../shared/data's
# Ecp HttpProxy sample).
mkdir -p tree/tools tree/Logging/HttpProxy/Ecp
printf '#!/usr/bin/env python3\n# writes fake logs\nHEAD = [\n    "#Software: Microsoft Exchange Server",\n    "#Log-type: HttpProxy Logs",\n]\nprint("\\r\\n".join(HEAD))\n' > tree/tools/make_logs.py
sed -n '6,$p' "$SRCDIR/tests/data/cli/proxylogon.LOG" > tree/Logging/HttpProxy/Ecp/HttpProxy_2021030204-1.LOG
"$EXHUNT" scan -q -f jsonl --no-progress tree 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["kind"] == "summary":
        for c in o["coverage"]:
            print(c["family"], c["files"], c["records"])
        for e in o["errors"]:
            print(e["path"] + ": " + e["message"])'
