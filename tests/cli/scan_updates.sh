# The Exchange updates installed, from the SOFTWARE hive (our seed-hive
# generator; checked with hivexsh): an Uninstall entry "Security Update for
# Exchange Server ... (KB5000871)" or an Updates\Exchange 2016 PackageName
# raises the Setup key's CU to the CU's row of that KB number
# (rules/build_kbs.csv): KB5000871 to its March 2021 update (the ProxyLogon
# set fixed, ProxyShell still open), KB5001779 to its April 2021 update;
# with several, the newest build wins, not the highest KB number (E2019
# CU15's Oct25SU is KB5066367, its Sep25HU KB5066372); a KB number from
# KB5000871 up that the table does not list for the CU raises it to the
# CU's March 2021 update only (a lower bound); an unlisted lower one is
# named but leaves the CU level; an update of another product is not
# counted.
command -v hivexsh >/dev/null || exit 77
mkhive="python3 $SRCDIR/tests/data/build/make_hive.py"
cfg=vol/C/Windows/System32/config
mkdir -p "$cfg"
setup='Microsoft\ExchangeServer\v15\Setup'
un='Microsoft\Windows\CurrentVersion\Uninstall'
cu19="$setup MsiProductMajor dword:15 $setup MsiProductMinor dword:1 $setup MsiBuildMajor dword:2176 $setup MsiBuildMinor dword:2"
show() {
    "$EXHUNT" build vol | head -n 1
    "$EXHUNT" scan -f jsonl --no-progress vol > out.jsonl
    python3 - <<'PY'
import json
rows = [json.loads(l) for l in open('out.jsonl', encoding='utf-8')]
f = [r for r in rows if r.get('rule') == 'exchange_build_open_cve']
print(' ', f[0]['evidence']['build'] if f else '-', '|',
      f[0]['evidence']['found_in'] if f else '-')
print('  open:', ' '.join(sorted(c for r in f for c in r['cve'])) or '-')
if not f:  # nothing open: the summary still says where the build came from
    b = [r['build'] for r in rows if r.get('kind') == 'summary'][0]
    print('  summary:', b['version'], '|', b['source'])
PY
}
# shellcheck disable=SC2086
$mkhive "$cfg/SOFTWARE" $cu19 \
    "$un\{4934D1EA-BE46-48B1-8847-F1AF20E892C1}" DisplayName 'sz:Microsoft Exchange Server 2016 Cumulative Update 19' \
    "$un\KB5000871" DisplayName 'sz:Security Update for Exchange Server 2016 Cumulative Update 19 (KB5000871)' \
    "$un\KB5001234" DisplayName 'sz:Security Update for Microsoft Office (KB5001234)'
printf 'cd %s\\KB5000871\nlsval DisplayName\n' "$un" | hivexsh "$cfg/SOFTWARE"
show
# The same KB under Updates\Exchange 2016.
# shellcheck disable=SC2086
$mkhive "$cfg/SOFTWARE" $cu19 \
    'Microsoft\Updates\Exchange 2016\KB5000871' PackageName 'sz:Security Update For Exchange Server 2016 CU19 (KB5000871)'
show
# April 2021 (KB5001779), with March's entry left beside it.
# shellcheck disable=SC2086
$mkhive "$cfg/SOFTWARE" $cu19 \
    "$un\KB5000871" DisplayName 'sz:Security Update for Exchange Server 2016 Cumulative Update 19 (KB5000871)' \
    "$un\KB5001779" DisplayName 'sz:Security Update for Exchange Server 2016 Cumulative Update 19 (KB5001779)'
show
# E2019 CU15 with Sep25HU (KB5066372) and Oct25SU (KB5066367).
# shellcheck disable=SC2086
$mkhive "$cfg/SOFTWARE" \
    "$setup" MsiProductMajor dword:15 "$setup" MsiProductMinor dword:2 \
    "$setup" MsiBuildMajor dword:1748 "$setup" MsiBuildMinor dword:10 \
    'Microsoft\Updates\Exchange 2019\KB5066372' PackageName 'sz:Hotfix Update for Exchange Server 2019 Cumulative Update 15 (KB5066372)' \
    'Microsoft\Updates\Exchange 2019\KB5066367' PackageName 'sz:Security Update for Exchange Server 2019 Cumulative Update 15 (KB5066367)'
show
# A KB number the table does not list for CU19, above KB5000871: the
# March 2021 update as a lower bound.
# shellcheck disable=SC2086
$mkhive "$cfg/SOFTWARE" $cu19 \
    "$un\KB5099999" DisplayName 'sz:Security Update for Exchange Server 2016 Cumulative Update 19 (KB5099999)'
show
# February 2021 (KB4602269), below KB5000871 but listed for CU19.
# shellcheck disable=SC2086
$mkhive "$cfg/SOFTWARE" $cu19 \
    "$un\KB4602269" DisplayName 'sz:Security Update for Exchange Server 2016 Cumulative Update 19 (KB4602269)'
show
# A KB number below 5000871 that the table does not list for CU19 (E2016
# CU11's January 2019 update, left behind): named, CU level kept.
# shellcheck disable=SC2086
$mkhive "$cfg/SOFTWARE" $cu19 \
    "$un\KB4471389" DisplayName 'sz:Security Update for Exchange Server 2016 Cumulative Update 11 (KB4471389)'
show
# No update installed.
# shellcheck disable=SC2086
$mkhive "$cfg/SOFTWARE" $cu19
show
