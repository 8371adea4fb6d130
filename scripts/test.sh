#!/usr/bin/env bash
# Set up the host, build, and run every test suite (unit, packets, e2e),
# then the unit and packet suites again under AddressSanitizer and
# UndefinedBehaviorSanitizer plus every fuzzer for a bounded time, from the
# clang build in build-fuzz (docs/robustness.md). Exits non-zero on any
# failure; the last line is "N passed, N failed" over both builds.
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

# The sanitizer build: unit + packets under ASan/UBSan, and the fuzzers
# (MAGLB_FUZZ_SECONDS each, default 60: the issue asks a minute or two). MAGLB_SKIP_SANITIZERS=1 leaves it
# out (quick local runs; CI runs it).
FUZZ_BUILD=${MAGLB_FUZZ_BUILD_DIR:-build-fuzz}
logs=("$BUILD/meson-logs/testlog.json")
if [[ ${MAGLB_SKIP_SANITIZERS:-0} != 1 ]]; then
  rm -f "$FUZZ_BUILD/meson-logs/testlog.json"
  if scripts/lib/fuzz_build.sh "$FUZZ_BUILD" unit packets fuzz; then
    # halt_on_error/abort: a report fails the test instead of scrolling by;
    # detect_leaks stays on (LeakSanitizer).
    ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
      UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
      meson test -C "$FUZZ_BUILD" --no-rebuild --print-errorlogs \
      --suite unit --suite packets --suite fuzz || rc=1
    logs+=("$FUZZ_BUILD/meson-logs/testlog.json")
  else
    echo "sanitizer/fuzz build failed"
    rc=1
  fi
fi

# meson writes one JSON object per test; count results from it so the
# summary is exact (SKIP is reported separately and not counted as passed).
read -r passed failed skipped < <(/usr/bin/python3 - "${logs[@]}" <<'PY'
import json, os, sys
p = f = s = 0
for log in sys.argv[1:]:
    if not os.path.exists(log):
        f += 1  # a build that ran no test at all is a failure
        continue
    for line in open(log):
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
