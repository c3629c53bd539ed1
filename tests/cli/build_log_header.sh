# exhunt build TARGET from Exchange log headers: with no ExSetup.exe, hive
# or OWA folder, the header of the newest log (by its #Date) names the
# build (headers as in ../shared/data/exchange-logs: qazeer_Owa__HttpProxy,
# qazeer_ECPServer, qazeer_iis_webshell_request_example). ECP's format
# version 15.0.0.0 and IIS headers are no build: exit 3.
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
