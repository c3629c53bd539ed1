# URI fields (cs-uri-stem, cs-uri-query and HttpProxy's UrlStem, UrlQuery)
# are matched percent-decoded too (twice, for "%2579"): an encoded request
# path does not hide from the rules, and the pre-filter judges a record
# with '%' decoded as well, so its literals need not stand in the raw line.
src="$SRCDIR/tests/data/schema/HttpProxy_2021030204-1.LOG"
mkdir -p Logging/HttpProxy/Ecp inetpub/logs/LogFiles/W3SVC1
head -5 "$src" > Logging/HttpProxy/Ecp/HttpProxy_2021030204-1.LOG
python3 - "$src" >> Logging/HttpProxy/Ecp/HttpProxy_2021030204-1.LOG <<'PY'
import sys
lines = open(sys.argv[1], encoding='latin-1').read().splitlines()
names = lines[4][len('#Fields: '):].split(',')
def row(minute, method, stem):
    r = dict(zip(names, [''] * len(names)))
    r.update(DateTime='2021-03-02T04:%02d:00.000Z' % minute, Protocol='Ecp',
             UrlHost='mail.contoso.test', UrlStem=stem, Method=method,
             HttpStatus='200', ClientIpAddress='203.0.113.9')
    sys.stdout.write(','.join(r[n] for n in names) + '\r\n')
row(10, 'POST', '/ecp/%79.js')    # /ecp/y.js, encoded: found
row(11, 'POST', '/ecp/%2579.js')  # encoded twice: found
row(12, 'POST', '/ecp/y.js')      # plain: found
row(13, 'GET', '/ecp/%79.js')     # not a POST: not found
row(14, 'POST', '/ecp/%7.js')     # no escape: not found
PY
{
    echo '#Software: Microsoft Internet Information Services 10.0'
    echo '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken'
    echo '2021-03-03 04:10:00 10.0.0.5 POST /%61spnet_client/discover.aspx - 443 - 203.0.113.9 Mozilla/5.0 - 200 0 0 31'
    echo '2021-03-03 04:11:00 10.0.0.5 POST /aspnet_client/discover.aspx - 443 - 203.0.113.9 Mozilla/5.0 - 200 0 0 31'
    echo '2021-03-03 04:12:00 10.0.0.5 POST /%61spnet_clients/discover.aspx - 443 - 203.0.113.9 Mozilla/5.0 - 200 0 0 31'
} > inetpub/logs/LogFiles/W3SVC1/u_ex210303.log
"$EXHUNT" scan -q --no-progress -f jsonl Logging inetpub > out.jsonl
echo "exit $?"
# The build the log header names gives findings without a line: not these.
grep -v '"category":"vulnerable"' out.jsonl |
    grep -o '"rule":"[^"]*"\|"line":[0-9]*' | paste -d' ' - -
