#!/usr/bin/env bash
# Set up the host, build, and run every test suite (unit, packets, e2e).
# Exits non-zero on any failure; the last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${MAGLB_BUILD_DIR:-build}

scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
if ! scripts/build.sh; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# Every suite but 'bench' (benchmarks are run by scripts/bench*.sh).
meson test -C "$BUILD" --no-rebuild --print-errorlogs --no-suite bench "$@"
rc=$?

# meson writes one JSON object per test; count results from it so the
# summary is exact (SKIP is reported separately and not counted as passed).
log="$BUILD/meson-logs/testlog.json"
read -r passed failed skipped < <(/usr/bin/python3 - "$log" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"): p += 1
    elif r == "SKIP": s += 1
    else: f += 1
print(p, f, s)
PY
) || { passed=0; failed=1; skipped=0; }
if ((rc != 0 && failed == 0)); then failed=1; fi
echo "skipped: $skipped"
echo "$passed passed, $failed failed"
((failed == 0 && rc == 0))
