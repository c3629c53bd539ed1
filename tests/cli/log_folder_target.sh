# A log folder given as the target is known by its own name: the OAB
# generator's text log has no header and no telling file name here.
mkdir -p "V15/Logging/OABGeneratorLog"
printf '%s\r\n' "2021-03-03T04:13:02.000Z Download failed and temporary file 'C:\\inetpub\\wwwroot\\aspnet_client\\discover.aspx' needs to be removed." \
    > "V15/Logging/OABGeneratorLog/gen-1.LOG"
"$EXHUNT" scan -q --no-progress "V15/Logging/OABGeneratorLog"; echo "exit $?"
