# Registry hives made by our seed-hive generator (checked here with hivexsh
# and libregf's regfinfo): the SOFTWARE hive's Exchange Setup key gives the
# build (CU level only), the SYSTEM hive's UM services with Start=4 under
# the control set Select\Current names are the CVE-2021-26857 mitigation.
# Exchange 2010 SP3 RU31 leaves only CVE-2021-26857 open, so with UM
# disabled the verdict is mitigated. Corrupt hives are no build.
command -v hivexsh >/dev/null && command -v regfinfo >/dev/null || exit 77
mkhive="python3 $SRCDIR/tests/data/build/make_hive.py"
cfg=vol/C/Windows/System32/config
mkdir -p "$cfg"
setup='Microsoft\ExchangeServer\v14\Setup'
$mkhive "$cfg/SOFTWARE" "$setup" MsiProductMajor dword:14 "$setup" MsiProductMinor dword:3 \
    "$setup" MsiBuildMajor dword:509 "$setup" MsiBuildMinor dword:0 \
    "$setup" MsiInstallPath 'sz:C:\Program Files\Microsoft\Exchange Server\V14\'
printf 'cd Microsoft\\ExchangeServer\\v14\\Setup\nlsval MsiBuildMajor\n' | hivexsh "$cfg/SOFTWARE"
regfinfo "$cfg/SOFTWARE" >/dev/null && echo "regfinfo reads it"
svc='ControlSet002\Services'
$mkhive "$cfg/SYSTEM" Select Current dword:2 "$svc\MSExchangeUM" Start dword:4 \
    "$svc\MSExchangeUMCR" Start dword:4 'ControlSet001\Services\MSExchangeUM' Start dword:2
"$EXHUNT" build vol | head -n 2
"$EXHUNT" scan -f jsonl --no-progress vol > out.jsonl
echo "status $?"
grep -o '"verdict":{"vulnerable":"[^"]*"' out.jsonl
grep -o '"mitigations":\[[^]]*\]' out.jsonl
grep -o '"severity":"[a-z]*","category":"vulnerable","cve":\["[^"]*"\]' out.jsonl
# The control set in use has UM enabled: not mitigated.
$mkhive "$cfg/SYSTEM" Select Current dword:1 "$svc\MSExchangeUM" Start dword:4 \
    "$svc\MSExchangeUMCR" Start dword:4 'ControlSet001\Services\MSExchangeUM' Start dword:2 \
    'ControlSet001\Services\MSExchangeUMCR' Start dword:4
"$EXHUNT" scan -q --no-progress vol
echo "status $?"
# Corrupt hives: truncated, garbage, a regf header with nothing behind it.
head -c 5000 "$cfg/SOFTWARE" > cut && mv cut "$cfg/SOFTWARE"
head -c 8192 /dev/urandom > "$cfg/SYSTEM"
"$EXHUNT" scan -q --no-progress vol
echo "status $?"
printf 'regf' > "$cfg/SOFTWARE"
"$EXHUNT" build vol 2>&1
echo "status $?"
