# Terminal escape sequences in attacker-controlled log values never reach
# the terminal raw: the text report shows them as \xNN, in the finding's
# evidence, the incident's story and the pivot's user agents (3 lines).
"$EXHUNT" scan --no-progress "$SRCDIR/tests/data/cli/hostile.LOG" > report.txt
echo "status $?"
LC_ALL=C grep -c $'\x1b\\|\x07' report.txt
grep -c 'evil\\x1B\[2J\\x1B\]0;owned\\x07agent\\xFF\\xFE\\xC3(' report.txt
python3 -c "open('report.txt', encoding='utf-8').read(); print('valid utf-8')"
