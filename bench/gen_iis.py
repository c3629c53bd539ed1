#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a tree of realistic IIS W3C logs of an Exchange server.

inetpub/logs/LogFiles/W3SVC1 (the front end, "Default Web Site") and
W3SVC2 (the back end, "Exchange Back End"), one u_exYYMMDD.log per site and
day, with the field set IIS 10 writes by default (the one of the CC0
sample in ../shared/data/exchange-logs). Traffic follows a working day and
an Exchange mix: OWA, ECP, EWS, MAPI over HTTP, ActiveSync, autodiscover,
OAB, RPC over HTTP, remote PowerShell and health probes. A few attack rows
are injected (counts in the manifest written beside the tree): POSTs to a
web shell in aspnet_client with a query (exchange_webshell_access) and
CVE-2020-0688 exploit requests (SigmaHQ's CVE-2020-0688 rules).
Deterministic for a size and --seed.
"""
import argparse
import datetime as dt
import json
import os
import random
import sys
import time

START = dt.datetime(2021, 2, 24)
FIELDS = ('date time s-ip cs-method cs-uri-stem cs-uri-query s-port '
          'cs-username c-ip cs(User-Agent) cs(Referer) sc-status '
          'sc-substatus sc-win32-status time-taken')
HOURLY = [2, 1, 1, 1, 1, 2, 5, 12, 20, 22, 21, 20, 16, 19, 21, 20, 17, 12,
          7, 5, 4, 3, 3, 2]
AGENTS = [
    'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+'
    '(KHTML,+like+Gecko)+Chrome/88.0.4324.190+Safari/537.36',
    'Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13801;'
    '+Pro)',
    'Outlook-iOS/723.4027091.prod.iphone+(4.2111.0)',
    'Apple-iPhone12C1/1805.212',
    'Microsoft+WinRM+Client',
    'AMProbe/Local/ClientAccess',
    'MSRPC',
    'ExchangeWebServices/15.01.2176.002',
]


def requests(rng, user, domain):
    """(method, stem, query, port, user, status, agent index) choices."""
    mbx = '%s@%s' % (user, domain)
    guid = '%08x-%04x-%04x-%04x-%012x' % (
        rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16),
        rng.getrandbits(16), rng.getrandbits(48))
    return [
        ('GET', '/owa/', '-', 443, 'CONTOSO\\' + user, 200, 0),
        ('POST', '/owa/service.svc', 'action=GetItem&EP=1&ID=-%d&AC=1'
         % rng.randint(10, 99), 443, mbx, 200, 0),
        ('POST', '/owa/service.svc', 'action=FindItem&app=Mail&n=%d'
         % rng.randint(1, 200), 443, mbx, 200, 0),
        ('GET', '/owa/auth/logon.aspx', 'url=https%3a%2f%2fmail.contoso.test'
         '%2fowa%2f&reason=0', 443, '-', 200, 0),
        ('GET', '/owa/auth/15.1.2176/themes/resources/favicon.ico', '-',
         443, '-', 200, 0),
        ('POST', '/mapi/emsmdb/', 'MailboxId=%s@%s' % (guid, domain), 443,
         mbx, 200, 1),
        ('POST', '/mapi/nspi/', 'MailboxId=%s@%s' % (guid, domain), 443,
         mbx, 200, 1),
        ('POST', '/EWS/Exchange.asmx', '-', 443, 'CONTOSO\\' + user, 200, 7),
        ('POST', '/Microsoft-Server-ActiveSync/default.eas',
         'Cmd=Sync&User=%s&DeviceId=%012X&DeviceType=iPhone'
         % (user, rng.getrandbits(48)), 443, user, 200, 3),
        ('POST', '/Autodiscover/Autodiscover.xml', '-', 443,
         'CONTOSO\\' + user, 200, 1),
        ('GET', '/autodiscover/autodiscover.json/v1.0/%s' % mbx,
         'Protocol=ActiveSync&RedirectCount=1', 443, '-', 200, 2),
        ('GET', '/OAB/%s/oab.xml' % guid, '-', 443, 'CONTOSO\\' + user,
         200, 1),
        ('RPC_IN_DATA', '/rpc/rpcproxy.dll', 'exch01.contoso.test:6001',
         443, 'CONTOSO\\' + user, 200, 6),
        ('GET', '/ecp/', '-', 443, 'CONTOSO\\' + user, 200, 0),
        ('POST', '/ecp/DDI/DDIService.svc/GetList',
         'schema=MailboxDelegation&msExchEcpCanary=%032x'
         % rng.getrandbits(128), 443, 'CONTOSO\\' + user, 200, 0),
        ('GET', '/owa/healthcheck.htm', '-', 443, '-', 200, 5),
        ('POST', '/powershell', 'clientApplication=ActiveMonitor;'
         'PSVersion=5.1.14393.4046', 80, 'CONTOSO\\SM_' + user[-4:], 200, 4),
        ('GET', '/owa/', '-', 443, '-', 302, 0),
        ('POST', '/EWS/Exchange.asmx', '-', 443, '-', 401, 7),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out')
    ap.add_argument('--size-mib', type=float, default=512)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    t0 = time.time()
    rng = random.Random(args.seed)
    users = ['user%04d' % i for i in range(600)]
    clients = ['10.%d.%d.%d' % (rng.randint(20, 40), rng.randint(0, 255),
                                rng.randint(1, 254)) for _ in range(300)]
    clients += ['%d.%d.%d.%d' % (rng.choice([81, 88, 92, 109, 176, 185]),
                                 rng.randint(0, 255), rng.randint(0, 255),
                                 rng.randint(1, 254)) for _ in range(200)]
    # Row templates: everything but the time and time-taken.
    templates = []
    for _ in range(3000):
        user = rng.choice(users)
        m, stem, query, port, who, status, agent = rng.choice(
            requests(rng, user, 'contoso.test'))
        templates.append('%s %s %s %d %s %s %s - %d 0 0' % (
            m, stem, query, port, who, rng.choice(clients), AGENTS[agent],
            status))
    days = max(1, min(14, round(args.size_mib / 75)))
    target = int(args.size_mib * 1024 * 1024)
    mean = sum(len(t) for t in templates) / len(templates) + 45
    rows_per_day = int(target / mean / days / 2)
    shells = [
            '%s POST /aspnet_client/discover.aspx exec_code=%s 443 - '
            '203.0.113.77 ExchangeServicesClient/0.0.0.0 - 200 0 0 15'
            % (t, c) for t, c in (('04:12:33', 'whoami'),
                                  ('04:13:02', 'ipconfig'),
                                  ('04:15:40', 'net+user'))]
    viewstate = [
            '%s GET /ecp/default.aspx __VIEWSTATEGENERATOR=B97B4E27&'
            '__VIEWSTATE=%%2FwEyhAYAAQAAAP%%2F%%2F%%2F%%2F8BAAAAAAAAAAw%d 443 '
            'CONTOSO\\user0042 198.51.100.23 Mozilla/5.0+(Windows+NT+10.0)'
            ' - 500 0 0 31' % (t, i)
            for i, t in enumerate(('11:02:10', '11:02:14'))]
    inject = {}  # (day, site) -> rows
    inject.setdefault((days // 2, 1), []).extend(shells)
    inject.setdefault((days - 1, 1), []).extend(viewstate)
    files = size = rows_total = 0
    hour_w = sum(HOURLY)
    for d in range(days):
        day = START + dt.timedelta(days=d)
        date = day.strftime('%Y-%m-%d')
        for site in (1, 2):
            folder = os.path.join(args.out, 'inetpub', 'logs', 'LogFiles',
                                  'W3SVC%d' % site)
            os.makedirs(folder, exist_ok=True)
            ip = '10.0.0.5' if site == 1 else '127.0.0.1'
            lines = []
            for h in range(24):
                n = rows_per_day * HOURLY[h] // hour_w
                secs = sorted(rng.randrange(3600) for _ in range(n))
                for s in secs:
                    lines.append('%s %02d:%02d:%02d %s %s %d\r\n' % (
                        date, h, s // 60, s % 60, ip,
                        templates[rng.randrange(len(templates))],
                        rng.randint(1, 900)))
            for row in inject.get((d, site), []):
                lines.append('%s %s\r\n' % (date, row.replace(
                    ' POST ', ' %s POST ' % ip, 1).replace(
                    ' GET ', ' %s GET ' % ip, 1)))
            lines.sort()
            head = ('#Software: Microsoft Internet Information Services '
                    '10.0\r\n#Version: 1.0\r\n#Date: %s 00:00:00\r\n'
                    '#Fields: %s\r\n' % (date, FIELDS))
            data = (head + ''.join(lines)).encode()
            with open(os.path.join(folder, 'u_ex%s.log'
                                   % day.strftime('%y%m%d')), 'wb') as f:
                f.write(data)
            files += 1
            size += len(data)
            rows_total += len(lines)
    manifest = {
        'generator': 'bench/gen_iis.py', 'seed': args.seed,
        'size_mib_requested': args.size_mib, 'bytes': size, 'files': files,
        'records': rows_total, 'days': days,
        'first_day': START.strftime('%Y-%m-%d'),
        'injected': {'webshell_posts': 3, 'cve_2020_0688': 2},
    }
    with open(args.out.rstrip('/') + '.manifest.json', 'w') as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write('\n')
    print('wrote %d files, %d records, %.1f MiB in %.1f s to %s'
          % (files, rows_total, size / 1048576, time.time() - t0, args.out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
