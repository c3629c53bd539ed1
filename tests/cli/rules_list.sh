# `rules list` shows every built-in rule (Sigma, then YARA) in a table; -f jsonl gives one
# {"schema":1,"kind":"rule"} object per rule.
"$EXHUNT" rules list > table || exit 1
head -n 1 table | tr -s ' '
for r in proxylogon_ssrf_serverinfo proxylogon_ssrf_localhost \
         proxylogon_ssrf_autodiscover proxylogon_ssrf_backendcookie \
         proxylogon_ecp_reset_vdir proxylogon_ecp_vdir_script \
         proxylogon_oab_download_path; do
    grep -q "^$r " table && echo "$r listed"
done
grep '^proxylogon_ssrf_serverinfo ' table | tr -s ' '
"$EXHUNT" rules list -f jsonl > rules.jsonl || exit 1
python3 - <<'PY'
import json
rows = [json.loads(l) for l in open('rules.jsonl', encoding='utf-8')]
print(all(r['schema'] == 1 and r['kind'] == 'rule' for r in rows),
      len(rows) == int(open('table').read().splitlines()[-1].split()[0]))
r = [r for r in rows if r['name'] == 'proxylogon_ssrf_serverinfo'][0]
print(r['severity'], r['category'], r['logsource'], r['cve'],
      r['source'].startswith('builtin:'))
PY
# YARA rules are listed after the log rules, with logsource "file" and the
# cve meta; a --rules .yar file's rules carry its path.
grep '^webshell_compiled_page_dll ' table | tr -s ' '
printf 'rule my_marker\n{\n    meta:\n        score = 65\n    strings:\n        $a = "exhunt-marker"\n    condition:\n        $a\n}\n' > mine.yar
"$EXHUNT" rules list --rules mine.yar -f jsonl | python3 -c '
import json, sys
r = [json.loads(l) for l in sys.stdin if "my_marker" in l][0]
print(r["name"], r["severity"], r["category"], r["logsource"], r["source"])'
# The built-in checks written in code (baselines, IIS modules, transport
# agents, scheduled tasks, services) are listed last, logsource "file", with
# the severity and category their findings carry; not under
# --no-builtin-rules.
for r in exchange_auth_folder_unexpected_file iis_module_in_drop_zone \
         iis_module_not_stock transport_agent_in_drop_zone \
         transport_agent_not_stock scheduled_task_encoded_powershell \
         scheduled_task_runs_from_web_folder scheduled_task_runs_from_drop_zone \
         service_runs_shell service_in_drop_zone; do
    grep "^$r " table | tr -s ' ' | cut -d' ' -f1-4,6-
done
python3 - <<'PY'
import json
rows = [json.loads(l) for l in open('rules.jsonl', encoding='utf-8')]
r = [r for r in rows if r['name'] == 'service_runs_shell'][0]
print(r['severity'], r['category'], r['logsource'], r['author'], r['source'],
      r['has_reader'])
PY
n=$("$EXHUNT" rules list --no-builtin-rules --rules mine.yar | grep -c '_stock\|service_\|scheduled_task_')
echo "$n built-in checks listed with --no-builtin-rules"
