# Builds the table does not list are placed between their neighbours and
# say so; a three-part build is the CU level only.
"$EXHUNT" build -f jsonl 15.1.2176.5
echo "status $?"
"$EXHUNT" build -f jsonl 15.2.2000.0
echo "status $?"
"$EXHUNT" build -f jsonl 15.2.986
echo "status $?"
