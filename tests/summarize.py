#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Prints "N passed, N failed, N skipped" computed from meson's test log
# (one JSON object per test) and exits non-zero when a test failed or
# meson itself did (its exit status is the second argument).
import json, sys

log, meson_status = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0
passed = failed = skipped = 0
try:
    with open(log) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get('result', '')
            if result in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            elif result == 'SKIP':
                skipped += 1
            else:
                failed += 1
except OSError as e:
    print('summarize: cannot read %s: %s' % (log, e), file=sys.stderr)
    failed += 1
print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
sys.exit(1 if failed or meson_status or passed == 0 else 0)
