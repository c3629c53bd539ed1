#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates a large tree of realistic Exchange HttpProxy logs for benchmarks.

The tree is OUT/Logging/HttpProxy/<Protocol>/HttpProxy_YYYYMMDDHH-1.LOG for
nine protocol folders, one file per protocol and hour, with the real header
and 74-field set of the CC0 samples in ../shared/data/exchange-logs. Traffic
follows a working day (busy mornings, quiet nights) and a protocol mix
(MAPI, EWS and ActiveSync heavy; OAB and ECP light), with varied users,
client addresses, user agents, routing cookies and GenericInfo strings.

Injected at known places and counts: ProxyLogon chains (AnchorMailbox
"ServerInfo~a]@host:444/..." rows, the Reset vdir call with status 200,
BackEndCookie-only rows), autodiscover-only attempts and scanner probes
aimed at localhost. OUT.manifest.json (beside the tree, never inside it, so
neither tool reads it) records the expected findings per rule, the
expected `rg -c 'ServerInfo~'` total, and the sizes.

Deterministic for a given size and seed. Benign rows never contain
"ServerInfo~".

usage: gen_httpproxy.py [--size-mib N] [--seed S] OUT
       (size also from env BENCH_SIZE_MIB; default 1024)
"""
import argparse
import datetime as dt
import json
import os
import random
import sys
import time

FIELDS = (
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
IDX = {f: i for i, f in enumerate(FIELDS)}

HOST = 'EXCH02'
FQDN = 'exch02.fabrikam.local'
PEERS = ['exch02.fabrikam.local', 'exch03.fabrikam.local',
         'exch04.fabrikam.local']
BUILD = (15, 1, 2176, 2)
BE_VERSION = 0x70000000 | (15 << 22) | (1 << 16) | 0x8000 | BUILD[2]
SID = 'S-1-5-21-1004336348-1177238915-682003330'
DBS = ['%08x-4d2a-4c1e-9b7f-%012x' % (0x5a000000 + i, 0x3c0000000000 + i)
       for i in range(6)]
START = dt.datetime(2021, 3, 1)

# Relative traffic per protocol folder and per hour of the day.
PROTOCOLS = [('Mapi', 30), ('Ews', 22), ('Eas', 16), ('Owa', 10),
             ('Autodiscover', 8), ('RpcHttp', 5), ('PowerShell', 4),
             ('Ecp', 3), ('Oab', 2)]
HOURLY = [3, 2, 2, 2, 2, 3, 6, 12, 18, 20, 20, 19, 16, 18, 19, 18, 16, 12,
          8, 6, 5, 4, 4, 3]

UAS = {
    'Mapi': ['Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook '
             '16.0.%d; Pro)' % b for b in (13127, 13231, 13328, 13426)] +
            ['MapiHttpClient'],
    'Ews': ['Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook '
            '16.0.13127; Pro)', 'ExchangeServicesClient/15.00.0913.015',
            'Mac OS X/10.15.7 (19H2); ExchangeWebServices/11.0 (274); '
            'Mail/13.4 (3608.120.23.2.4)', 'AMProbe/Local/ClientAccess',
            'MacOutlook/16.46.21021202 (Intelx64 Mac OS X Version 10.15.7 '
            '(Build 19H2))'],
    'Eas': ['Apple-iPhone12C1/1804.61', 'Apple-iPhone11C8/1803.212',
            'Outlook-iOS-Android/1.0', 'Android-SAMSUNG-SM-G973F/101.10',
            'Android-Mail/2020.12.06.347446143.Release'],
    'Owa': ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 '
            '(KHTML  like Gecko) Chrome/88.0.4324.190 Safari/537.36',
            'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:86.0) '
            'Gecko/20100101 Firefox/86.0',
            'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/'
            '605.1.15 (KHTML  like Gecko) Version/14.0.3 Safari/605.1.15',
            'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 '
            '(KHTML  like Gecko) Chrome/88.0.4324.190 Safari/537.36 '
            'Edg/88.0.705.81'],
    'Autodiscover': ['Microsoft Office/16.0 (Windows NT 10.0; Microsoft '
                     'Outlook 16.0.13127; Pro)',
                     'AppleExchangeWebServices/818.120.2 accountsd/113',
                     'Outlook-iOS-Android/1.0'],
    'RpcHttp': ['MSRPC', 'Microsoft Office/15.0 (Windows NT 6.1; Microsoft '
                'Outlook 15.0.5319; Pro)'],
    'PowerShell': ['Microsoft WinRM Client'],
    'Ecp': ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 '
            '(KHTML  like Gecko) Chrome/88.0.4324.190 Safari/537.36'],
    'Oab': ['Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook '
            '16.0.13127; Pro)'],
}
STEMS = {
    'Mapi': [('/mapi/emsmdb/', 'POST'), ('/mapi/nspi/', 'POST')],
    'Ews': [('/EWS/Exchange.asmx', 'POST'), ('/ews/', 'GET')],
    'Eas': [('/Microsoft-Server-ActiveSync/default.eas', 'POST'),
            ('/Microsoft-Server-ActiveSync/default.eas', 'OPTIONS')],
    'Owa': [('/owa/service.svc', 'POST'), ('/owa/', 'GET'),
            ('/owa/ev.owa2', 'POST'), ('/owa/auth/logon.aspx', 'GET')],
    'Autodiscover': [('/autodiscover/autodiscover.xml', 'POST'),
                     ('/autodiscover/autodiscover.json', 'GET')],
    'RpcHttp': [('/rpc/rpcproxy.dll', 'RPC_IN_DATA'),
                ('/rpc/rpcproxy.dll', 'RPC_OUT_DATA')],
    'PowerShell': [('/powershell', 'POST')],
    'Ecp': [('/ecp/', 'GET'), ('/ecp/UsersGroups/Mailboxes.svc/GetList',
                               'POST')],
    'Oab': [('/OAB/3c1ef8b0-3d2b-4b40-a2b4-0e9cd9f9d55c/oab.xml', 'GET'),
            ('/OAB/3c1ef8b0-3d2b-4b40-a2b4-0e9cd9f9d55c/data-1.lzx', 'GET')],
}
ACTIONS = {
    'Owa': ['GetConversationItems', 'FindItem', 'GetItem', 'CreateItem',
            'GetOwaUserConfiguration', 'FindConversation'],
    'Eas': ['Sync', 'Ping', 'FolderSync', 'SendMail', 'ItemOperations'],
    'Ews': ['FindItem', 'GetItem', 'SyncFolderItems', 'GetUserAvailability',
            'Subscribe'],
    'PowerShell': ['Get-Mailbox:Command', 'New-PSSession:Receive',
                   'Get-ExchangeServer:Command'],
}


def csv_field(value):
    value = str(value)
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


class Gen:
    """Precomputed row templates per protocol; rows are cheap to emit."""

    def __init__(self, seed, variants=400):
        self.rng = random.Random(seed)
        rng = self.rng
        self.users = ['user%04d' % i for i in range(600)] + \
            ['HealthMailbox%07x' % rng.getrandbits(28) for _ in range(4)]
        self.ips = ['10.%d.%d.%d' % (rng.randint(20, 40), rng.randint(0, 255),
                                     rng.randint(1, 254)) for _ in range(300)]
        self.ips += ['%d.%d.%d.%d' % (rng.choice([81, 88, 92, 109, 176, 185]),
                                      rng.randint(0, 255), rng.randint(0, 255),
                                      rng.randint(1, 254))
                     for _ in range(200)]
        self.templates = {p: [self._template(p) for _ in range(variants)]
                          for p, _ in PROTOCOLS}

    def _template(self, proto):
        """Returns (head, mid, tail): row = time,reqid,head,genericinfo,tail.

        head runs from MajorVersion to UrlQuery, mid is the GenericInfo
        middle (between the begin and end times), tail follows GenericInfo.
        """
        rng = self.rng
        user = rng.choice(self.users)
        uidx = int(user[4:]) if user.startswith('user') else 1142
        health = user.startswith('Health')
        ip = '127.0.0.1' if health else rng.choice(self.ips)
        stem, method = rng.choice(STEMS[proto])
        f = [''] * len(FIELDS)
        f[IDX['MajorVersion']:IDX['RevisionVersion'] + 1] = map(str, BUILD)
        f[IDX['Protocol']] = proto
        f[IDX['UrlHost']] = 'localhost' if health else 'mail.fabrikam.com'
        f[IDX['UrlStem']] = stem
        f[IDX['ProtocolAction']] = rng.choice(ACTIONS.get(proto, ['']))
        auth = {'Owa': 'Forms', 'Ecp': 'Forms', 'Eas': 'Basic',
                'PowerShell': 'Kerberos', 'RpcHttp': 'NTLM',
                'Autodiscover': 'NTLM'}.get(proto, 'Negotiate')
        status = rng.choices([200, 200, 200, 200, 302, 401, 403, 440, 500],
                             k=1)[0]
        authed = status not in (401,)
        f[IDX['AuthenticationType']] = auth
        f[IDX['IsAuthenticated']] = 'true' if authed else 'false'
        f[IDX['AuthenticatedUser']] = ('FABRIKAM\\' + user) if authed else ''
        f[IDX['Organization']] = 'fabrikam.local' if proto == 'Mapi' else ''
        guid = '%08x-%04x-4%03x-a%03x-%012x' % (
            rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
            rng.getrandbits(12), rng.getrandbits(48))
        if proto == 'Mapi':
            anchor = 'MailboxGuid~' + guid
        elif proto == 'PowerShell':
            anchor = 'ServerVersion~Version 15.1 (Build 2176.2)'
        elif proto == 'Eas':
            anchor = 'Smtp~%s@fabrikam.com' % user
        elif authed:
            anchor = 'Sid~%s-%d' % (SID, 1100 + uidx)
        else:
            anchor = ''
        f[IDX['AnchorMailbox']] = anchor
        f[IDX['UserAgent']] = UAS['Ews'][3] if health else \
            rng.choice(UAS[proto])
        f[IDX['ClientIpAddress']] = ip
        f[IDX['ServerHostName']] = HOST
        f[IDX['HttpStatus']] = str(status)
        f[IDX['BackEndStatus']] = str(status) if status != 302 else ''
        f[IDX['Method']] = method
        target = rng.choice(PEERS)
        if status != 302:
            f[IDX['ProxyAction']] = 'Proxy'
            f[IDX['TargetServer']] = target
            f[IDX['TargetServerVersion']] = '15.01.2176.000'
            f[IDX['RoutingType']] = 'IntraForest'
            f[IDX['RoutingHint']] = {
                'Mapi': 'MailboxGuidWithDomain', 'Eas': 'SmtpAddress',
                'PowerShell': 'ExchClientVer-ServerCookie',
                'Oab': 'OabGuid'}.get(proto, 'WindowsIdentity')
            date = '2021-03-%02d' % rng.randint(2, 28)
            f[IDX['BackEndCookie']] = rng.choice([
                '', 'Database~%s~~%sT%02d:%02d:%02d' % (
                    rng.choice(DBS), date, rng.randint(0, 23),
                    rng.randint(0, 59), rng.randint(0, 59)),
                'Server~%s~%d~%sT%02d:%02d:%02d' % (
                    target, BE_VERSION, date, rng.randint(0, 23),
                    rng.randint(0, 59), rng.randint(0, 59))])
        f[IDX['RequestBytes']] = str(rng.randint(0, 9000))
        f[IDX['ResponseBytes']] = str(rng.randint(0, 90000))
        for name in ('HttpPipelineLatency', 'CalculateTargetBackEndLatency',
                     'TotalGlsLatency', 'TotalAccountForestLatency',
                     'TotalResourceForestLatency', 'ADLatency',
                     'TotalSharedCacheLatency',
                     'ModuleToHandlerSwitchingLatency',
                     'ClientReqStreamLatency', 'BackendReqInitLatency',
                     'BackendReqStreamLatency', 'BackendRespInitLatency',
                     'BackendRespStreamLatency', 'ClientRespStreamLatency',
                     'KerberosAuthHeaderLatency', 'HandlerCompletionLatency',
                     'HandlerToModuleSwitchingLatency', 'CoreLatency',
                     'RoutingLatency', 'HttpProxyOverhead'):
            f[IDX[name]] = str(rng.choice([0, 0, 0, 1, 2, 3]))
        total = rng.randint(3, 400 if proto != 'Eas' else 900000)
        for name in ('ActivityContextLifeTime', 'BackendProcessingLatency',
                     'RequestHandlerLatency', 'ProxyTime',
                     'TotalRequestTime'):
            f[IDX[name]] = str(max(0, total - rng.randint(0, 3)))
        if proto == 'Eas':
            f[IDX['UrlQuery']] = ('?Cmd=%s&User=%s&DeviceId=%032X'
                                  '&DeviceType=%s' % (
                                      f[IDX['ProtocolAction']], user,
                                      rng.getrandbits(128),
                                      rng.choice(['iPhone', 'Android',
                                                  'Outlook'])))
        elif proto == 'Mapi':
            f[IDX['UrlQuery']] = '?MailboxId=%s@fabrikam.com' % guid
            f[IDX['ClientRequestId']] = (
                'R:%s:%d;RT:%s;CI:%08x-%04x-4%03x-9%03x-%012x:%d' % (
                    guid, rng.randint(1, 900),
                    rng.choice(['Connect', 'Execute', 'Disconnect',
                                'NotificationWait']),
                    rng.getrandbits(32), rng.getrandbits(16),
                    rng.getrandbits(12), rng.getrandbits(12),
                    rng.getrandbits(48), rng.randint(1, 9)))
        elif proto == 'Owa':
            f[IDX['UrlQuery']] = '?action=%s&app=Mail&n=%d' % (
                f[IDX['ProtocolAction']], rng.randint(1, 300))
        elif proto == 'PowerShell':
            f[IDX['UrlQuery']] = ('?clientApplication=ActiveMonitor;PSVersion='
                                  '5.1.14393.4169')
        if status >= 500:
            # Quoted in the log: the message holds commas.
            f[IDX['GenericErrors']] = (
                'WebExceptionStatus=ProtocolError;ResponseStatusCode=%d;'
                'WebException=System.Net.WebException: The remote server '
                'returned an error: (%d) Internal Server Error., at '
                'System.Net.HttpWebRequest.EndGetResponse(IAsyncResult '
                'asyncResult)' % (status, status))
        f[IDX['DatabaseGuid']] = '|RoutingDB:' + rng.choice(DBS) \
            if proto in ('Mapi', 'Ews', 'Autodiscover') else ''
        f[IDX['RoutingStatus']] = 'CafeV1' if status != 302 else ''
        head = ','.join(csv_field(v) for v in
                        f[IDX['MajorVersion']:IDX['GenericInfo']])
        extra = rng.choice([
            '', 'AccountForestGuard_fabrikam.local=1;',
            'RoutingEntry=DatabaseGuid:%s%%40fabrikam.local Server:%s+%d@'
            '637502%012d;' % (rng.choice(DBS), target, BE_VERSION,
                              rng.getrandbits(36)),
            'NewConnection=%s&0;' % ip,
            'SessionId=%08X-C73B-4C9B-93BB-%012X;' % (
                rng.getrandbits(32), rng.getrandbits(48))])
        mid = (';CorrelationID=<empty>;ProxyState-Run=None;'
               'FEAuth=BEVersion-%d;%sProxyState-Complete=ProxyResponseData;'
               'SharedCacheGuard=0;EndRequest=' % (BE_VERSION, extra))
        tail = ','.join(csv_field(v) for v in f[IDX['GenericErrors']:])
        return head + ',BeginRequest=', mid, ';,' + tail

    def rows(self, proto, prefix, n):
        """n benign rows of one hour file: (ms in hour, CRLF-ended line)."""
        rng = self.rng
        offs = sorted(rng.randrange(3600000) for _ in range(n))
        tpls = self.templates[proto]
        out = []
        for off in offs:
            head, mid, tail = tpls[rng.randrange(len(tpls))]
            t = '%s%02d:%02d.%03dZ' % (prefix, off // 60000,
                                       off // 1000 % 60, off % 1000)
            b = max(0, off - rng.randrange(40))
            tb = '%s%02d:%02d.%03dZ' % (prefix, b // 60000, b // 1000 % 60,
                                        b % 1000)
            x = rng.getrandbits(128)
            rid = '%08x-%04x-4%03x-%04x-%012x' % (
                x >> 96, (x >> 80) & 0xffff, (x >> 68) & 0xfff,
                0x8000 | ((x >> 48) & 0x3fff), x & 0xffffffffffff)
            out.append((off, t + ',' + rid + ',' + head + tb + mid + t +
                        tail + '\r\n'))
        return out


def row_from_fields(fields):
    return ','.join(csv_field(fields.get(k, '')) for k in FIELDS) + '\r\n'


def forged(rng, t, proto, stem, client, ua, anchor, cookie='', status=200,
           method='POST'):
    """A forged back-end request (X-BEResource) as HttpProxy logs it."""
    iso = t.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (t.microsecond // 1000)
    return row_from_fields({
        'DateTime': iso,
        'RequestId': '%08x-%04x-4%03x-8%03x-%012x' % (
            rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
            rng.getrandbits(12), rng.getrandbits(48)),
        'MajorVersion': 15, 'MinorVersion': 1, 'BuildVersion': BUILD[2],
        'RevisionVersion': BUILD[3], 'Protocol': proto,
        'UrlHost': 'mail.fabrikam.com', 'UrlStem': stem,
        'IsAuthenticated': 'false', 'AnchorMailbox': anchor,
        'UserAgent': ua, 'ClientIpAddress': client, 'ServerHostName': HOST,
        'HttpStatus': status, 'BackEndStatus': status, 'Method': method,
        'ProxyAction': 'Proxy', 'TargetServerVersion': '15.01.2176.000',
        'RoutingType': 'IntraForest', 'RoutingHint': 'BEResourceCookie',
        'BackEndCookie': cookie, 'RequestBytes': rng.randint(200, 4000),
        'ResponseBytes': rng.randint(100, 30000),
        'TotalRequestTime': rng.randint(5, 90),
        'GenericInfo': 'BeginRequest=%s;CorrelationID=<empty>;ProxyState-Run'
                       '=None;ProxyToDownLevel=False;EndRequest=%s;'
                       % (iso, iso),
        'RoutingStatus': 'CafeV1'})


def plan_injections(rng, days):
    """Returns ({(day, hour, proto): [(ms, line)]}, expected)."""
    inj = {}
    exp = {'proxylogon_ssrf_serverinfo': {'rows': 0, 'findings': 0},
           'proxylogon_ecp_reset_vdir': {'rows': 0, 'findings': 0},
           'proxylogon_ssrf_backendcookie': {'rows': 0, 'findings': 0},
           'proxylogon_ssrf_autodiscover': {'rows': 0, 'findings': 0},
           'proxylogon_ssrf_localhost': {'rows': 0, 'findings': 0}}
    serverinfo_lines = 0

    def put(t, proto, line):
        key = ((t.date() - START.date()).days, t.hour, proto)
        ms = (t.minute * 60 + t.second) * 1000 + t.microsecond // 1000
        inj.setdefault(key, []).append((ms, line))

    def at(day, hour, minute, sec, ms):
        return START + dt.timedelta(days=day, hours=hour, minutes=minute,
                                    seconds=sec, milliseconds=ms)

    canary = 'xkC0dV6DJEaa3zPVjWV2RkYx4pqVdNgI7mH3ZqXpzvGfxlYqJWo3Uo0bI4zS8E2'
    steps = [('autodiscover/autodiscover.xml?#', 200),
             ('mapi/emsmdb/?#', 200), ('ecp/proxyLogon.ecp?#', 241),
             ('ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary=%s&schema='
              'OABVirtualDirectory#' % canary, 200),
             ('ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=%s&schema='
              'OABVirtualDirectory#' % canary, 200),
             ('ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=%s&schema='
              'ResetOABVirtualDirectory#' % canary, 200)]
    # Two ProxyLogon chains from two addresses, on different days.
    for n, (client, day, hour) in enumerate([('203.0.113.77', 0, 2),
                                             ('203.0.113.150', days - 1,
                                              14)]):
        day = min(day, days - 1)
        for i, (path, status) in enumerate(steps):
            t = at(day, hour, 10 + n, 5 + 8 * i, 111 * i)
            anchor = 'ServerInfo~a]@%s:444/%s' % (FQDN, path)
            put(t, 'Ecp', forged(rng, t, 'Ecp', '/ecp/%s.js' % 'xyz'[i % 3],
                                 client, 'python-requests/2.25.1', anchor,
                                 status=status))
            serverinfo_lines += 1
            if path.startswith('autodiscover'):
                exp['proxylogon_ssrf_autodiscover']['rows'] += 1
                exp['proxylogon_ssrf_autodiscover']['findings'] += 1
            else:
                exp['proxylogon_ssrf_serverinfo']['rows'] += 1
                exp['proxylogon_ssrf_serverinfo']['findings'] += 1
            if 'Reset' in path:
                exp['proxylogon_ecp_reset_vdir']['rows'] += 1
                exp['proxylogon_ecp_reset_vdir']['findings'] += 1
        # BackEndCookie-only rows (no AnchorMailbox): CSS-Exchange #310.
        for i in range(2):
            t = at(day, hour, 20 + n, 3 + 10 * i, 7)
            put(t, 'Ecp', forged(
                rng, t, 'Ecp', '/ecp/main.css', client,
                'python-requests/2.25.1', '',
                cookie='Server~%s:444/ecp/DDI/DDIService.svc/GetList?#~%d'
                % (FQDN, BE_VERSION)))
            exp['proxylogon_ssrf_backendcookie']['rows'] += 1
            exp['proxylogon_ssrf_backendcookie']['findings'] += 1
    # Autodiscover-only attempts: 4 addresses, a burst within one hour each.
    for k in range(4):
        client = '198.51.100.%d' % (20 + k)
        day, hour = k % days, 5 + 3 * k
        n = 5 + 4 * k
        for i in range(n):
            t = at(day, hour, 1 + i, 7 * k % 60, 3 * i)
            put(t, 'Ecp' if k % 2 else 'Owa', forged(
                rng, t, 'Ecp' if k % 2 else 'Owa',
                '/ecp/y.js' if k % 2 else '/owa/auth/x.js', client,
                'ExchangeServicesClient/0.0.0.0',
                'ServerInfo~a]@%s:444/autodiscover/autodiscover.xml?#' % FQDN,
                status=500))
            serverinfo_lines += 1
        exp['proxylogon_ssrf_autodiscover']['rows'] += n
        exp['proxylogon_ssrf_autodiscover']['findings'] += 1
    # Scanner probes aimed at localhost: 5 bursts of 200 rows, one hour each.
    for k in range(5):
        client = '192.0.2.%d' % (10 + k)
        day, hour = (2 * k) % days, 20 + k % 4
        for i in range(200):
            t = at(day, hour, i * 17 // 60, i * 17 % 60, 250 + i)
            put(t, 'Owa', forged(
                rng, t, 'Owa', '/owa/auth/x.js', client,
                'Mozilla/5.0 (compatible; Nmap Scripting Engine; '
                'https://nmap.org/book/nse.html)',
                'ServerInfo~localhost/owa/auth/logon.aspx?~3', method='GET'))
            serverinfo_lines += 1
        exp['proxylogon_ssrf_localhost']['rows'] += 200
        exp['proxylogon_ssrf_localhost']['findings'] += 1
    exp_critical = build_expectation(exp)
    return inj, exp, exp_critical, serverinfo_lines


CRITICAL_RULES = ('proxylogon_ssrf_serverinfo', 'proxylogon_ecp_reset_vdir',
                  'proxylogon_ssrf_backendcookie')


def build_expectation(exp):
    """Sets exp's exchange_build_open_cve entry from the build tables as
    they are now and returns the critical findings exp adds up to.
    check_manifest.py calls it again, so that a manifest made before the
    tables changed still checks."""
    # The logs' headers name BUILD: scan reports each covered CVE it leaves
    # open (rules/builds.csv, rules/build_cves.csv) as a vulnerable finding.
    open_cves = open_cves_of(BUILD)
    exp['exchange_build_open_cve'] = {'rows': len(open_cves),
                                      'findings': len(open_cves)}
    return (sum(exp[r]['findings'] for r in CRITICAL_RULES) +
            sum(sev == 'critical' for _, sev in open_cves))


def open_cves_of(build):
    """(cve, severity) of the covered CVEs the build table leaves open for
    build (a listed one)."""
    rules = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                         'rules')
    text = '.'.join(map(str, build))
    fixed = None
    for line in open(os.path.join(rules, 'builds.csv')):
        f = line.rstrip('\n').split(',', 5)
        if not line.startswith('#') and f[0] == text:
            fixed = set(f[4].split())
    if fixed is None:
        sys.exit('gen_httpproxy: build %s is not in rules/builds.csv' % text)
    prefix = '%d.%d' % build[:2]
    out = []
    for line in open(os.path.join(rules, 'build_cves.csv')):
        if line.startswith('#') or not line.strip():
            continue
        cve, sev, products, _ = line.split(',', 3)
        if prefix in products.split() and cve not in fixed:
            out.append((cve, sev))
    return out


def header(first_iso):
    return ('#Software: Microsoft Exchange Server\r\n'
            '#Version: 15.01.2176.002\r\n'
            '#Log-type: HttpProxy Logs\r\n'
            '#Date: %s\r\n#Fields: %s\r\n' % (first_iso, ','.join(FIELDS)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out')
    ap.add_argument('--size-mib', type=float,
                    default=float(os.environ.get('BENCH_SIZE_MIB', 1024)))
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    t_start = time.time()
    target = int(args.size_mib * 1024 * 1024)
    gen = Gen(args.seed)
    # Measure the mean row length to turn the size into row counts.
    row_len = {}
    for p, _ in PROTOCOLS:
        sample = gen.rows(p, '2021-03-01T00:', 1000)
        row_len[p] = sum(len(r[1]) for r in sample) / len(sample)
    days = max(1, min(14, round(args.size_mib / 150)))
    weights = {(d, h, p): HOURLY[h] * w
               for d in range(days) for h in range(24) for p, w in PROTOCOLS}
    total_w = sum(w * row_len[k[2]] for k, w in weights.items())
    header_len = len(header('2021-03-01T00:00:00.000Z'))
    budget = max(0, target - header_len * len(weights))
    inj, exp, exp_critical, si_lines = plan_injections(
        random.Random(args.seed + 1), days)
    files = rows_total = size = 0
    for (d, h, p), w in sorted(weights.items()):
        n = max(1, int(budget * w / total_w))
        day = START + dt.timedelta(days=d, hours=h)
        prefix = day.strftime('%Y-%m-%dT%H:')
        rows = gen.rows(p, prefix, n) + inj.get((d, h, p), [])
        rows.sort(key=lambda r: r[0])
        first = rows[0][0]
        first_iso = '%s%02d:%02d.%03dZ' % (prefix, first // 60000,
                                           first // 1000 % 60, first % 1000)
        folder = os.path.join(args.out, 'Logging', 'HttpProxy', p)
        os.makedirs(folder, exist_ok=True)
        data = (header(first_iso) + ''.join(r[1] for r in rows)).encode()
        with open(os.path.join(folder, 'HttpProxy_%s-1.LOG'
                               % day.strftime('%Y%m%d%H')), 'wb') as out:
            out.write(data)
        files += 1
        rows_total += len(rows)
        size += len(data)
    manifest = {
        'generator': 'bench/gen_httpproxy.py', 'seed': args.seed,
        'size_mib_requested': args.size_mib, 'bytes': size, 'files': files,
        'records': rows_total, 'days': days,
        'first_day': START.strftime('%Y-%m-%d'),
        'expected': {'rules': exp, 'critical_findings': exp_critical,
                     'rg_serverinfo_lines': si_lines},
    }
    with open(args.out.rstrip('/') + '.manifest.json', 'w') as out:
        json.dump(manifest, out, indent=1, sort_keys=True)
        out.write('\n')
    print('wrote %d files, %d records, %.1f MiB in %.1f s to %s'
          % (files, rows_total, size / 1048576, time.time() - t_start,
             args.out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
