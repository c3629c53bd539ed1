# SigmaHQ's webserver rules put paths in cs-uri-query, meaning the whole
# URI: such a field is matched against cs-uri-stem '?' cs-uri-query, in IIS
# logs and in HttpProxy rows (UrlStem, UrlQuery). The CVE-2020-0688 rules
# of ../shared's SigmaHQ copy fire on the exploit request and not on the
# same page without a query. Skipped without ../shared.
RULES="$SRCDIR/../shared/data/thirdparty/sigma/rules-emerging-threats/2020/Exploits/CVE-2020-0688"
[ -d "$RULES" ] || exit 77
mkdir -p inetpub/logs/LogFiles/W3SVC1
{
    echo '#Software: Microsoft Internet Information Services 10.0'
    echo '#Version: 1.0'
    echo '#Date: 2020-03-01 00:00:00'
    echo '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken'
    echo '2020-03-01 10:00:01 10.0.0.5 GET /ecp/default.aspx __VIEWSTATEGENERATOR=B97B4E27&__VIEWSTATE=%2FwEyhAYAAQAAAP%2F%2F 443 CONTOSO\alice 203.0.113.9 Mozilla/5.0+(Windows+NT+10.0) - 500 0 0 31'
    echo '2020-03-01 10:00:02 10.0.0.5 GET /ecp/default.aspx - 443 CONTOSO\alice 203.0.113.9 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 31'
    echo '2020-03-01 10:00:03 10.0.0.5 GET /ecp/x.aspx __VIEWSTATE_=1 443 - 203.0.113.9 Mozilla/5.0 - 200 0 0 31'
} > inetpub/logs/LogFiles/W3SVC1/u_ex200301.log
"$EXHUNT" scan -q --no-progress --no-builtin-rules --rules "$RULES" -f jsonl \
    inetpub 2>/dev/null > out.jsonl
echo "exit $?"
grep -v '"category":"vulnerable"' out.jsonl |
    grep -o '"rule":"[^"]*"\|"line":[0-9]*' | paste -d' ' - -
# The same request as an HttpProxy row: UrlQuery brings its own '?'.
mkdir -p Logging/HttpProxy/Ecp
src="$SRCDIR/tests/data/schema/HttpProxy_2021030204-1.LOG"
head -5 "$src" > Logging/HttpProxy/Ecp/HttpProxy_2021030204-1.LOG
python3 - "$src" >> Logging/HttpProxy/Ecp/HttpProxy_2021030204-1.LOG <<'PY'
import sys
lines = open(sys.argv[1], encoding='latin-1').read().splitlines()
names = lines[4][len('#Fields: '):].split(',')
row = dict(zip(names, [''] * len(names)))
row.update(DateTime='2021-03-02T04:30:00.000Z', Protocol='Ecp',
           UrlHost='mail.contoso.test', UrlStem='/ecp/default.aspx',
           UrlQuery='?__VIEWSTATEGENERATOR=B97B4E27&__VIEWSTATE=%2FwEy',
           Method='GET', HttpStatus='500', ClientIpAddress='203.0.113.9')
sys.stdout.write(','.join(row[n] for n in names) + '\r\n')
PY
"$EXHUNT" scan -q --no-progress --no-builtin-rules --rules "$RULES" -f jsonl \
    Logging 2>/dev/null > out2.jsonl
echo "exit $?"
# The build the log header names gives findings without a line: not these.
grep -v '"category":"vulnerable"' out2.jsonl |
    grep -o '"rule":"[^"]*"\|"line":[0-9]*' | paste -d' ' - -
