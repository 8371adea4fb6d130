#!/usr/bin/env bash
# Maglev table build benchmark (docs/benchmarks.md, "Maglev table build").
# Builds maglev_bench (release) and prints, for M in {65537, 655373, 5000011}
# x N in {10, 100, 1000, 5000}, the median build time of 11 runs and the
# share of slots that move when one backend leaves or joins. Extra
# arguments go to maglev_bench (--runs K, --sizes M,..., --backends N,...).
# Timings are only meaningful on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${MAGLB_BENCH_BUILD_DIR:-build-bench}
if [[ ! -f $BUILD/build.ninja ]]; then
  meson setup "$BUILD" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" controlplane/maglev/maglev_bench >/dev/null
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) cpus)"
echo "command: scripts/bench_maglev.sh $*"
"$BUILD/controlplane/maglev/maglev_bench" "$@"
