# The text report: header, the three verdicts, the incidents in sentences
# (a story wrapped at 90 columns), the attacker pivot, findings by severity (most
# severe first, aggregated ones with ×COUNT), coverage and counts. No color
# when stdout is not a terminal.
cd "$SRCDIR/tests/data/schema"
"$EXHUNT" scan --no-progress HttpProxy_2021030204-1.LOG
