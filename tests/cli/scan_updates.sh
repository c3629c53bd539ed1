# The Exchange updates installed, from the SOFTWARE hive (our seed-hive
# generator; checked with hivexsh): an Uninstall entry "Security Update for
# Exchange Server ... (KB5000871)" or an Updates\Exchange 2016 PackageName
# with that KB or a later one raises the Setup key's CU to the CU's March
# 2021 security update (the ProxyLogon set fixed, ProxyShell still open);
# an update with a lower KB number is named but leaves the CU level; an update of
# another product is not counted.
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
print('  open:', ' '.join(sorted(c for r in f for c in r['cve'])))
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
# A KB number below 5000871: named, CU level kept.
# shellcheck disable=SC2086
$mkhive "$cfg/SOFTWARE" $cu19 \
    "$un\KB4602269" DisplayName 'sz:Security Update for Exchange Server 2016 Cumulative Update 19 (KB4602269)'
show
# No update installed.
# shellcheck disable=SC2086
$mkhive "$cfg/SOFTWARE" $cu19
show
