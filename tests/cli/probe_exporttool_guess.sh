# Passive probe of servers that hide X-OWA-Version and ECP's Current/ export
# tool (nginx on loopback, tests/data/probe/nginx.conf.in): the OWA path
# gives the CU, and the export tool manifest under each listed build of
# that CU, newest first, gives the security update (righel's
# ms-exchange-version.nse). It stops at the first manifest; a CU whose
# builds all 404 stays CU level only; a server that answers every path with
# a manifest of another CU is not believed.
. "$SRCDIR/tests/data/probe/servers.sh"
names() { sed -e "s|$HID|HIDDEN|g" -e "s|$CUO|CUONLY|g" -e "s|$DEC|DECOY|g"; }
"$EXHUNT" probe "$HID" "$CUO" "$DEC" > out.txt
echo "status $?"
grep -v '^  ' out.txt | names
"$EXHUNT" probe -f jsonl "$HID" "$CUO" "$DEC" > out.jsonl
grep '"kind":"probe"' out.jsonl | names |
    grep -o '"url":"[^"]*"\|"version":"[^"]*"\|"source":"[^"]*"\|"cu_only":[a-z]*' |
    paste -sd ' ' | sed 's/ "url"/\n"url"/g'
# What each server was asked in the two runs above: HIDDEN, each time, the
# logon page, Current/, CU19's newest build (May21SU, 404) and its Apr21SU
# (the manifest): 4; CUONLY the logon page, Current/ and each of CU8's five
# listed builds: 7.
for f in hidden cuonly; do
    echo "$f: $(wc -l < "ngx/$f.log") requests"
    grep -o 'GET /ecp/[0-9.]*/exporttool' "ngx/$f.log" | sort -u | tr '\n' ' '
    echo
done
