# signature-base's iocs/ folder loads as it is: its C2 list becomes the
# rule ioc_c2-iocs (webserver, remote-PowerShell and EWS logs, Security,
# Sysmon and RDP-session event logs: six documents); its hash list
# (MD5, SHA-1 and SHA-256 entries) loads with no line skipped; its file-name
# list loads with no entry skipped and flags a file it names. Skipped
# without ../shared.
IOCS="$SRCDIR/../shared/data/thirdparty/signature-base/iocs"
[ -d "$IOCS" ] || exit 77
"$EXHUNT" rules list --no-builtin-rules --ioc "$IOCS" 2>/dev/null | grep -c '^ioc_c2-iocs ' 
cp "$SRCDIR/tests/data/cli/proxylogon.LOG" proxylogon.LOG
"$EXHUNT" scan -q --no-progress --ioc "$IOCS" proxylogon.LOG 2>warnings.txt
echo "exit $?"
grep -c 'filename-iocs' warnings.txt
grep -c 'hash-iocs' warnings.txt
grep -c 'entries are no address' warnings.txt
mkdir -p case/Windows/System32 case/ProgramData
echo inert > case/ProgramData/svchtst.exe
"$EXHUNT" scan -f jsonl --no-progress --ioc "$IOCS" case 2>/dev/null | grep -o '"rule":"ioc_filename-iocs"' | uniq -c | sed 's/^ *//'
exit 0
