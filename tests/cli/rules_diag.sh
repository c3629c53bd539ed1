# A rule folder with a broken rule: a warning "exhunt: warning: FILE:LINE:
# reason" on stderr, and the other rules still load and match.
mkdir rules
printf 'title: broken\ndetection:\n  selection: [\n' > rules/broken.yml
cat > rules/mine.yml <<'YML'
title: Scanner user agent
name: my_scanner_agent
logsource:
  product: exchange
  service: httpproxy
detection:
  selection:
    UserAgent|contains: 'zgrab'
  condition: selection
level: medium
YML
"$EXHUNT" rules list --rules rules 2>&1
"$EXHUNT" scan -q --no-progress --no-builtin-rules --rules rules \
    "$SRCDIR/tests/data/cli/low_only.LOG" 2>&1 | sed 's|^.*/low_only|low_only|'
