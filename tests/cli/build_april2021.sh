# The April 2021 CVEs (CVE-2021-28480 to -28483) and ProxyToken's
# CVE-2021-33766, which Microsoft's CVE records give as fixed by the April
# 2021 update (KB5001779): exhunt build says them open on each CU's March
# 2021 update and on the special March 2021 update of an out-of-support
# CU, fixed on the CU's April 2021 update and on the CUs released after it,
# and never reports them for Exchange 2010.
for v in 15.0.1497.12 15.0.1497.15 15.1.2176.9 15.1.2176.12 15.1.2242.4 \
    15.1.2242.8 15.1.2308.8 15.2.792.10 15.2.792.13 15.2.858.5 15.2.858.10 \
    15.2.922.7 15.1.1913.12 15.2.2562.17 14.3.513.0; do
    "$EXHUNT" build -f jsonl "$v" | python3 -c '
import json, sys
b = json.loads(sys.stdin.read())
april = ("CVE-2021-28480", "CVE-2021-28481", "CVE-2021-28482",
         "CVE-2021-28483", "CVE-2021-33766")
opened = [c[4:] for c in b["open_cve"] if c in april]
fixed = [c[4:] for c in b["fixed_cve"] if c in april]
print(b["version"], b["update"], "| open:", " ".join(opened) or "-",
      "| fixed:", " ".join(fixed) or "-")'
done
# The text form names them with their severity.
"$EXHUNT" build 15.1.2176.9 | grep -E 'CVE-2021-(2848|33766)'
