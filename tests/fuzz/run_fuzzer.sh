#!/usr/bin/env bash
# Runs one libFuzzer binary for a bounded time from its committed corpus.
# Usage: run_fuzzer.sh FUZZER_BINARY CORPUS_DIR[:MORE_SEED_DIR...] [SECONDS]
# SECONDS defaults to $MAGLB_FUZZ_SECONDS or 60. New inputs go to a scratch
# directory (the committed corpus is only read); a crash, leak, timeout or
# sanitizer report fails the run and leaves the input under
# $MAGLB_FUZZ_ARTIFACTS (default: fuzz-artifacts/ next to the binary),
# with the command that replays it.
set -uo pipefail
bin=$1 corpus=$2 seconds=${3:-${MAGLB_FUZZ_SECONDS:-60}}
name=$(basename "$bin")
artifacts=${MAGLB_FUZZ_ARTIFACTS:-$(dirname "$bin")/fuzz-artifacts}/$name
mkdir -p "$artifacts"
# MAGLB_FUZZ_SCRATCH: keep the new inputs there (scripts/fuzz.sh --merge).
if [[ -n ${MAGLB_FUZZ_SCRATCH:-} ]]; then
  scratch=$MAGLB_FUZZ_SCRATCH scratch_tmp=
else
  scratch=$(mktemp -d "/tmp/maglb-$name-$$-XXXXXX")
  scratch_tmp=$scratch
fi
IFS=: read -ra corpora <<<"$corpus"
for c in "${corpora[@]}"; do
  [[ -d $c ]] || { echo "no corpus at $c"; exit 1; }
done
# A fuzzer that cannot run here (fuzz_xdp_parity without root) writes the
# reason to this file and exits before fuzzing: a skip, not a finding.
skip_file=$(mktemp "/tmp/maglb-$name-skip-XXXXXX")
trap 'rm -rf ${scratch_tmp:+"$scratch_tmp"} "$skip_file"' EXIT
export MAGLB_FUZZ_SKIP_FILE=$skip_file

# -timeout: one input running 10 s is a hang; -rss_limit_mb: a leak or an
# unbounded allocation; -error_exitcode keeps failures distinguishable.
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" -error_exitcode=77 "$scratch" "${corpora[@]}" 2>&1 | tail -n 60
rc=${PIPESTATUS[0]}
if [[ -s $skip_file ]]; then
  echo "SKIP: $name: $(cat "$skip_file")"
  exit 77
fi
if ((rc != 0)); then
  echo "FAIL: $name exited $rc; inputs in $artifacts:"
  ls -l "$artifacts"
  echo "replay: $bin $artifacts/<crash-file>"
  # meson treats 77 as "skipped": never let a finding look like a skip.
  exit 1
fi
echo "$name: no finding in ${seconds}s"
