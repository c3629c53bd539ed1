# exhunt build TARGET from Exchange log headers: with no ExSetup.exe, hive
# or OWA folder, the header of the newest log (by its #Date) names the
# build (headers as in ../shared/data/exchange-logs: qazeer_Owa__HttpProxy,
# qazeer_ECPServer, qazeer_iis_webshell_request_example). ECP's format
# version 15.0.0.0 and IIS headers are no build: exit 3. The JSON line and
# the text list the builds the logs show (the timeline).
l=vol/Program\ Files/Microsoft/Exchange\ Server/V15/Logging
mkdir -p "$l/HttpProxy/Owa" "$l/ECP/Server" vol/inetpub/logs/LogFiles/W3SVC1
head() { # build date type
    printf '#Software: Microsoft Exchange Server\r\n#Version: %s\r\n' "$1"
    printf '#Log-type: %s\r\n#Date: %s\r\n' "$3" "$2"
    printf '#Fields: DateTime,RequestId,MajorVersion,MinorVersion\r\n'
}
head 15.01.2176.002 2021-03-02T04:00:00.120Z 'HttpProxy Logs' \
    > "$l/HttpProxy/Owa/HttpProxy_2021030204-1.LOG"
head 15.01.2176.009 2021-03-12T02:00:01.870Z 'HttpProxy Logs' \
    > "$l/HttpProxy/Owa/HttpProxy_2021031202-1.LOG"
head 15.0.0.0 2021-03-20T00:02:33.938Z 'ECP Server Log' \
    > "$l/ECP/Server/ECPServer20210320-1.LOG"
printf '#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2021-03-21 00:00:00\r\n' \
    > vol/inetpub/logs/LogFiles/W3SVC1/u_ex210321.log
"$EXHUNT" build -f jsonl vol
echo "status $?"
"$EXHUNT" build "$l/HttpProxy/Owa/HttpProxy_2021030204-1.LOG" | command head -n 2
echo "status ${PIPESTATUS[0]}"
rm -r "$l/HttpProxy"
"$EXHUNT" build vol 2>&1
echo "status $?"
# ECP rows: the header's 15.0.0.0 is no build, the rows' S:BLD= values are
# (ECP Server "S:BLD=", Activity "S:Bld="). A value forged into a parameter
# that disagrees with the row's own, and a malformed one, are no build.
e="$l/ECP/Server/ECPServer20210320-1.LOG"
printf '2021-03-20T00:05:00.000Z,EXCH01,ECP.Request,"S:CMD=Get-Mailbox;S:BLD=15.1.2176.9;S:TNAME="\r\n' >> "$e"
printf '%s\r\n' "2021-03-20T00:06:00.000Z,EXCH01,ECP.Request,\"S:CMD=Set-OabVirtualDirectory.ExternalUrl='S:BLD=15.2.1544.4;';S:BLD=15.1.2176.9;\"" >> "$e"
printf '2021-03-20T00:07:00.000Z,EXCH01,ECP.Request,"S:BLD=15.1.2176.12x;"\r\n' >> "$e"
printf '2021-03-20T00:04:00.000Z,EXCH01,Request,S:URL=https://localhost:444/ecp/;S:Bld=15.1.2176.2;S:ActID=1\r\n' >> "$e"
# A row the 4 KiB head cuts inside its value ("15.1.2176.1" of
# 15.1.2176.12) is not read: only the head's whole rows count.
pre='2021-03-20T00:08:00.000Z,EXCH01,ECP.Request,"S:X='
bld=';S:BLD=15.1.2176.1'
pad=$((4096 - $(stat -c %s "$e") - ${#pre} - ${#bld}))
{ printf '%s' "$pre"; printf 'a%.0s' $(seq 1 $pad); printf '%s2;"\r\n' "$bld"; } >> "$e"
"$EXHUNT" build -f jsonl vol | grep -o '"version":"[^"]*"\|"source":"[^"]*"\|"first":"[^"]*"\|"last":"[^"]*"'
echo "status ${PIPESTATUS[0]}"
"$EXHUNT" build vol | grep -E '^  (logs|found in):|^            15'
