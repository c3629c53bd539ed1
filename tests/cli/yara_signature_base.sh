# signature-base's YARA rules load unmodified (each file in its namespace,
# with the external variables) and fire on a defanged China Chopper page
# through exhunt; their findings name the rule file. Skipped without
# ../shared.
YARA="$SRCDIR/../shared/data/thirdparty/signature-base/yara"
[ -d "$YARA" ] || exit 77
mkdir -p case
printf '%s\n' '<%@ Page Language="Jscript"%><!-- exhunt test sample, defanged -->' \
    '<script language="JScript" runat="server">function Page_Load(){eval(Request["exh_test"],"unsafe");}</script>' \
    > case/discover.aspx
"$EXHUNT" scan -f jsonl --no-progress --no-builtin-rules --rules "$YARA" case 2>warnings.txt > out.jsonl
echo "exit $?"
python3 - <<'PY'
import json, os
f = [o for o in map(json.loads, open('out.jsonl')) if o['kind'] == 'finding']
print(sorted({(o['rule'], os.path.basename(o['rule_source'])) for o in f}))
print(sorted({o['category'] for o in f}))
PY
grep -c . warnings.txt
exit 0
