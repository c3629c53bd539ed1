#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Reads the real Exchange log samples in ../shared/data/exchange-logs (CC0,
# Qazeer/artefacts.help) and checks that each is recognised as its family
# with every record read, its first record time and its host, and that the
# logs exhunt does not read yet are scanned as plain files, quietly. Skipped (exit 77) where
# the folder is absent, as in a user's clone. The HttpProxy, EWS and RPS
# samples' "#Version: 15.01.2375.007" header gives the build (E2016 CU22,
# source log-header), whose open CVEs are the only findings of benign
# samples (exit 1); ECP's "15.0.0.0" is a format version, not a build, but
# its rows' "S:BLD=15.1.2375.7" (Activity: "S:Bld=") give the same build
# (source ecp-row).
import json, os, subprocess, sys

DATA = os.path.join(os.environ['SRCDIR'], '..', 'shared', 'data', 'exchange-logs')
if not os.path.isdir(DATA):
    print('skipped: %s is absent' % DATA)
    sys.exit(77)

# file: (family, records, first record, host) or None when not read yet
EXPECTED = {
    'qazeer_Autodiscover__HttpProxy_2023010919-1.LOG': ('httpproxy', 1, '2023-01-09T19:00:00.130Z', 'SERVER-HOSTNAME'),
    'qazeer_ECPActivity_11500_20230111-1.LOG': ('ecp-activity', 2, '2023-01-10T00:47:12.020Z', 'SERVER-HOSTNAME'),
    'qazeer_ECPServer20230111-1.LOG': ('ecp-server', 1, '2023-01-11T00:02:33.966Z', 'SERVER-HOSTNAME'),
    'qazeer_Eas__HttpProxy_2023011116-1.LOG': ('httpproxy', 1, '2023-01-11T16:06:06.997Z', 'SERVER-HOSTNAME'),
    'qazeer_Ecp__HttpProxy_2023010611-1.LOG': ('httpproxy', 1, '2023-01-06T11:47:32.435Z', 'SERVER-HOSTNAME'),
    'qazeer_Ews__HttpProxy_2023010601-1.LOG': ('httpproxy', 1, '2023-01-06T01:00:05.344Z', 'SERVER_HOSTNAME'),
    'qazeer_Mapi__HttpProxy_2023010601-1.LOG': ('httpproxy', 3, '2023-01-06T01:00:04.124Z', 'SERVER_HOSTNAME'),
    'qazeer_Owa__HttpProxy_2023010602-1.LOG': ('httpproxy', 1, '2023-01-06T02:20:32.841Z', 'SERVER_HOSTNAME'),
    'qazeer_PowerShell__HttpProxy_2023011116-1.LOG': ('httpproxy', 2, '2023-01-11T16:01:44.205Z', 'server_hostname'),
    'qazeer_RpcHttp__HttpProxy_2023010708-1.LOG': ('httpproxy', 1, '2023-01-07T08:39:45.725Z', 'SERVER-HOSTNAME'),
    'qazeer_Ews_2023010616-1.LOG': ('ews', 1, '2023-01-06T16:00:06.410Z', 'SERVER_HOSTNAME'),
    'qazeer_Rps_Cmdlet_2023011116-1.LOG': ('rps', 1, '2023-01-11T01:01:19.898Z', 'domain-MAIL'),
    'qazeer_iis_webshell_request_example.log': ('iis', 1, '2023-12-25T11:54:21.000Z', None),
}
# The build each read sample's header gives (None: no build).
NO_BUILD = {'qazeer_iis_webshell_request_example.log'}
ECP_ROWS = {'qazeer_ECPActivity_11500_20230111-1.LOG', 'qazeer_ECPServer20230111-1.LOG'}
HEADER_BUILD = '15.1.2375.7'
# Samples that show an attack: findings are expected there.
ATTACKS = {'qazeer_iis_webshell_request_example.log'}
failures = checks = 0
for name in sorted(os.listdir(DATA)):
    proc = subprocess.run([os.environ['EXHUNT'], 'scan', '-f', 'jsonl', '--no-progress',
                           os.path.join(DATA, name)], capture_output=True)
    lines = [json.loads(l) for l in proc.stdout.decode().splitlines()]
    summary = [o for o in lines if o['kind'] == 'summary'][0]
    findings = [o for o in lines if o['kind'] == 'finding' and o['category'] != 'vulnerable']
    vulnerable = [o for o in lines if o['kind'] == 'finding' and o['category'] == 'vulnerable']
    want = EXPECTED.get(name)
    if want:
        cov = summary['coverage']
        got = (cov[0]['family'], cov[0]['records'], cov[0]['first'], summary['host']) if len(cov) == 1 else None
        build = summary['build']['version'] if summary['build'] else None
        want_build = None if name in NO_BUILD else HEADER_BUILD
        ok = got == want and summary['counts']['bad_records'] == 0 and build == want_build
        if want_build:
            # E2016 CU22 (September 2021) leaves CVE-2021-42321, ProxyNotShell
            # and OWASSRF open: one finding each, from the header.
            ok = ok and sorted(v['cve'][0] for v in vulnerable) == [
                'CVE-2021-42321', 'CVE-2022-41040', 'CVE-2022-41080', 'CVE-2022-41082'] and \
                all(v['evidence'].get('build_source') ==
                    ('ecp-row' if name in ECP_ROWS else 'log-header') for v in vulnerable) and \
                [t['sources'] for t in summary['build']['timeline']] == [
                    ['ecp-row' if name in ECP_ROWS else 'log-header']]
        else:
            ok = ok and not vulnerable
        ok = ok and (name in ATTACKS or (not findings and proc.returncode == (1 if vulnerable else 0)))
        if not ok:
            got = (got, build, [v['cve'] for v in vulnerable], len(findings))
    else:
        # Not a log exhunt reads: a file given alone is scanned as a file.
        got = (summary['coverage'], summary['errors'], summary['counts']['scanned'])
        ok = got == ([], [], 1) and not findings and proc.returncode == 0
    checks += 1
    if not ok:
        failures += 1
        print('FAIL %s: got %r (exit %d), want %r' % (name, got, proc.returncode, want))
    else:
        print('ok   %s' % name)
print('%d samples, %d failed' % (checks, failures))
sys.exit(1 if failures or checks < len(EXPECTED) else 0)
