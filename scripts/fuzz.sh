#!/usr/bin/env bash
# The longer fuzzing run (docs/robustness.md): builds the fuzzers (clang,
# ASan + UBSan, libFuzzer) into build-fuzz and runs each for N minutes from
# its committed corpus, one after another.
#   scripts/fuzz.sh [--minutes N] [--merge] [FUZZER...]
# FUZZER: fuzz_packet fuzz_snapshot fuzz_config fuzz_dp_control
# fuzz_daemon_request fuzz_xdp_parity (default: all; fuzz_xdp_parity needs
# root and is skipped without). --merge adds the inputs that found new
# coverage to tests/fuzz/corpus/<fuzzer>/ (libFuzzer -merge=1; review and
# commit them). A finding stops the run; its input is under
# build-fuzz/tests/fuzz/fuzz-artifacts/<fuzzer>/ with the replay command.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${MAGLB_FUZZ_BUILD_DIR:-build-fuzz}
minutes=10 merge=0 fuzzers=()
while (($#)); do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) fuzzers+=("$1"); shift ;;
  esac
done
((${#fuzzers[@]})) || fuzzers=(fuzz_packet fuzz_snapshot fuzz_config fuzz_dp_control fuzz_daemon_request
  fuzz_xdp_parity)
scripts/lib/fuzz_build.sh "$BUILD" fuzz
for f in "${fuzzers[@]}"; do
  bin=$BUILD/tests/fuzz/$f corpus=tests/fuzz/corpus/$f
  # As tests/fuzz/meson.build's extra_seeds: the parity fuzzer also starts
  # from fuzz_packet's corpus (same input format); merges go to its own.
  seeds=$corpus
  [[ $f == fuzz_xdp_parity ]] && seeds=$corpus:tests/fuzz/corpus/fuzz_packet
  [[ -x $bin ]] || { echo "fuzz.sh: no fuzzer $f (built: $(ls "$BUILD/tests/fuzz" | grep '^fuzz_' | grep -v '\.p$' | tr '\n' ' '))"; exit 2; }
  echo "=== $f: $minutes min"
  # 77: the fuzzer cannot run here (it said why); go on with the next.
  rc=0
  if ((merge)); then
    new=$(mktemp -d "/tmp/maglb-$f-new-XXXXXX")
    MAGLB_FUZZ_SECONDS=$((minutes * 60)) MAGLB_FUZZ_SCRATCH=$new \
      tests/fuzz/run_fuzzer.sh "$bin" "$seeds" || rc=$?
    ((rc == 0)) && "$bin" -merge=1 "$corpus" "$new" 2>&1 | tail -n 2
    rm -rf "$new"
  else
    tests/fuzz/run_fuzzer.sh "$bin" "$seeds" $((minutes * 60)) || rc=$?
  fi
  ((rc == 0 || rc == 77)) || exit "$rc"
done
