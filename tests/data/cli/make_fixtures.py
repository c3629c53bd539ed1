#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes the synthetic HttpProxy fixtures of tests/data/cli/ and
# tests/data/schema/. The #Fields: header is the one of the real sample
# ../shared/data/exchange-logs/qazeer_Ecp__HttpProxy_2023010611-1.LOG
# (Qazeer/artefacts.help, CC0); every row is ours. The files are committed:
# run this only to change them.
import os
HDR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../../shared/data/exchange-logs/qazeer_Ecp__HttpProxy_2023010611-1.LOG')
hdr = open(HDR, 'rb').read().split(b'\n')
fields_line = [l for l in hdr if l.startswith(b'#Fields: ')][0]
fields = fields_line[len(b'#Fields: '):].decode().split(',')
def header(date, version=b'15.01.2106.002'):
    return (b'#Software: Microsoft Exchange Server\n#Version: ' + version +
            b'\n#Log-type: HttpProxy Logs\n#Date: ' + date + b'\n' + fields_line + b'\n')
def row(**kw):
    base = dict(DateTime='', RequestId='', MajorVersion='15', MinorVersion='1', BuildVersion='2106',
                RevisionVersion='2', Protocol='Ecp', UrlHost='mail.contoso.test', AuthenticationType='',
                IsAuthenticated='false', ServerHostName='EXCH01', HttpStatus='200', BackEndStatus='200',
                Method='GET', ProxyAction='Proxy', TargetServer='exch01.contoso.test',
                TargetServerVersion='15.01.2106.000', RoutingType='', ServerLocatorLatency='0',
                RequestBytes='0', ResponseBytes='1024', TotalRequestTime='12')
    base.update(kw)
    out = []
    for f in fields:
        v = base.get(f, '')
        if isinstance(v, str): v = v.encode()
        if b',' in v or b'"' in v: v = b'"' + v.replace(b'"', b'""') + b'"'
        out.append(v)
    return b','.join(out) + b'\n'
normal = row(DateTime='2021-03-02T04:10:01.120Z', RequestId='0d4f0c4e-6a1b-4a53-9b44-0b1d2f3a4b01',
             UrlStem='/ecp/default.aspx', AuthenticationType='Negotiate', IsAuthenticated='true',
             AuthenticatedUser='CONTOSO\\alice', AnchorMailbox='Smtp~alice@contoso.test',
             UserAgent='Mozilla/5.0 (Windows NT 10.0; Win64; x64)', ClientIpAddress='10.0.0.15')
def ssrf(t, rid, ua, anchor='ServerInfo~a]@exch01.contoso.test:444/ecp/proxyLogon.ecp?#', ip='192.0.2.66'):
    return row(DateTime=t, RequestId=rid, UrlStem='/ecp/y.js', AnchorMailbox=anchor, UserAgent=ua,
               ClientIpAddress=ip, Method='POST', HttpStatus='241', BackEndStatus='241', RoutingType='AnchorMailbox')
def local(t, rid, ip='198.51.100.7'):
    return row(DateTime=t, RequestId=rid, UrlStem='/owa/auth/x.js',
               AnchorMailbox='ServerInfo~localhost~1941962753/ecp/default.flt?', UserAgent='Mozilla/5.0 zgrab/0.x',
               ClientIpAddress=ip, HttpStatus='500', BackEndStatus='500', RoutingType='AnchorMailbox', Protocol='Owa')
D = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..') + '/'
# proxylogon.LOG: one ordinary request, one ProxyLogon SSRF (critical), one scanner probe (low).
open(D+'cli/proxylogon.LOG','wb').write(header(b'2021-03-02T04:00:00.000Z') + normal +
    ssrf('2021-03-02T04:12:33.120Z', '5b6e9c1a-7d2f-4e8a-9c3b-1a2b3c4d5e01', 'python-requests/2.25.1') +
    local('2021-03-02T04:30:00.000Z', '5b6e9c1a-7d2f-4e8a-9c3b-1a2b3c4d5e02'))
# low_only.LOG: an ordinary request and scanner probes only (low attempts).
open(D+'cli/low_only.LOG','wb').write(header(b'2021-03-05T10:00:00.000Z') + normal.replace(b'2021-03-02T04:10', b'2021-03-05T10:01') +
    local('2021-03-05T10:02:00.000Z', '6c7f0d2b-8e3a-4f9b-8d4c-2b3c4d5e6f01') +
    local('2021-03-05T10:03:00.000Z', '6c7f0d2b-8e3a-4f9b-8d4c-2b3c4d5e6f02'))
# hostile.LOG: a ProxyLogon row whose attacker-chosen fields hold terminal
# escape sequences and bytes that are not UTF-8.
open(D+'cli/hostile.LOG','wb').write(header(b'2021-03-02T04:00:00.000Z') +
    ssrf('2021-03-02T04:20:00.000Z', '7d8a1e3c-9f4b-4a0c-8e5d-3c4d5e6f7a01',
         b'evil\x1b[2J\x1b]0;owned\x07agent\xff\xfe\xc3(' ,
         anchor=b'ServerInfo~a]@exch01.contoso.test:444/ecp/\x1b[31mred\xc0\xaf.js?#'))
# hostile_markup.LOG: ProxyLogon rows whose UserAgent holds HTML, script and
# spreadsheet-formula payloads (quoted CSV fields, so commas and quotes too).
open(D+'cli/hostile_markup.LOG','wb').write(header(b'2021-03-02T04:00:00.000Z') +
    ssrf('2021-03-02T04:20:00.000Z', '7d8a1e3c-9f4b-4a0c-8e5d-3c4d5e6f7a11',
         b'<script>alert(1)</script>"><img src=x onerror=alert(2)>') +
    ssrf('2021-03-02T04:20:05.000Z', '7d8a1e3c-9f4b-4a0c-8e5d-3c4d5e6f7a12',
         b'=cmd|\' /C calc\'!A0', anchor=b'ServerInfo~a]@exch01.contoso.test:444/mapi/emsmdb/?#') +
    ssrf('2021-03-02T04:20:09.000Z', '7d8a1e3c-9f4b-4a0c-8e5d-3c4d5e6f7a13',
         b'@SUM(1+1)*cmd|\' /C calc\'!A0, </script><script>alert(3)</script>',
         anchor=b'ServerInfo~a]@exch01.contoso.test:444/mapi/emsmdb/?#'))
# schema/: a tiny HttpProxy log with a ProxyLogon row and an aggregated scanner run.
open(D+'schema/HttpProxy_2021030204-1.LOG','wb').write(header(b'2021-03-02T04:00:00.000Z') + normal +
    ssrf('2021-03-02T04:12:33.120Z', '8e9b2f4d-0a5c-4b1d-9f6e-4d5e6f7a8b01', 'python-requests/2.25.1\xff'.encode('latin-1')) +
    b''.join(local('2021-03-02T04:%02d:00.000Z' % m, '8e9b2f4d-0a5c-4b1d-9f6e-4d5e6f7a8b%02d' % m) for m in range(20, 26)))
# long_value.LOG: a ProxyLogon row whose UserAgent (4,101 bytes: 4,095 'A',
# an 'é' across the 4,096-byte evidence limit, 'TAIL') is cut in evidence.
open(D+'cli/long_value.LOG','wb').write(header(b'2021-03-02T04:00:00.000Z') +
    ssrf('2021-03-02T04:12:33.120Z', '9f0c3a5e-1b6d-4c2e-8a7f-5e6f7a8b9c01',
         b'A' * 4095 + 'é'.encode() + b'TAIL'))
