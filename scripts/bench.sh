#!/usr/bin/env bash
# The maglb benchmark suite (docs/benchmarks.md): DPDK dataplane throughput
# against testpmd (packet size and flow count sweeps), the net_ring harness
# (flow sweep to 10M, zero-loss search, table updates under load, SYN
# flood), the XDP program, the Maglev table build. Writes
# results/bench-<date>.json (or --out FILE), docs/img/*.png and the
# generated section of docs/benchmarks.md.
#
#   sudo scripts/bench.sh [--quick] [--out FILE] [--only STEP,...] [--nice N]
#                         [--no-report]
#
# --quick      a short run (2 runs of 2 s per point, fewer points), ~5 min
# --only       steps of scripts/bench/suite.py: pcap_sizes, pcap_flows,
#              ring_flows, rfc2544, updates, synflood, xdp, maglev
# --nice N     nice value of the suite's own scheduling group (default -10;
#              0 to leave it). With autogroup scheduling every session gets
#              an equal share of the CPU whatever its processes' nice, so on a
#              machine shared with other work a busy-polling worker would
#              otherwise run a fraction of the time.
# --no-report  leave docs/ alone (results file only)
#
# Needs root (EAL, BPF), hugepages (raised to 2048 x 2 MiB while it runs for
# the 1M-frame pcaps, then put back), gnuplot for the plots. Builds in
# $MAGLB_BENCH_BUILD_DIR (default build-bench2, release).
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=() ONLY=() OUT="" NICE=-10 REPORT=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) QUICK=(--quick) ;;
    --out) OUT=$2; shift ;;
    --only) ONLY=(--only "$2"); shift ;;
    --nice) NICE=$2; shift ;;
    --no-report) REPORT=0 ;;
    *) echo "usage: $0 [--quick] [--out FILE] [--only STEP,...] [--nice N] [--no-report]" >&2
       exit 2 ;;
  esac
  shift
done
if [[ $EUID -ne 0 ]]; then
  echo "bench.sh: needs root (DPDK EAL, BPF_PROG_TEST_RUN)" >&2
  exit 1
fi
[[ -n $OUT ]] || OUT=results/bench-$(date -u +%Y%m%d-%H%M).json

BUILD=${MAGLB_BENCH_BUILD_DIR:-build-bench2}
if [[ ! -f $BUILD/build.ninja ]]; then
  meson setup "$BUILD" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" -j2 dataplane/dpdk/maglb-dataplane tests/bench/bench_pcap_gen \
  tests/bench/bench_pcap tests/bench/bench_ring tests/bench/bench_traffic_test \
  controlplane/maglev/maglev_bench
# The XDP benchmark belongs to another part; the suite records it as failed
# if it does not build.
ninja -C "$BUILD" -j2 tests/xdp/xdp_bench || echo "bench.sh: xdp_bench did not build" >&2
MAGLB_BENCH_PCAP_GEN=$BUILD/tests/bench/bench_pcap_gen "$BUILD/tests/bench/bench_traffic_test" \
  --gtest_brief=1 >/dev/null

# Hugepages: 1M-frame pcaps load into ~1.02M mbufs (~2.4 GB) per process.
HP=/proc/sys/vm/nr_hugepages
HP_BEFORE=$(cat $HP)
if (( HP_BEFORE < 2048 )); then
  echo 2048 > $HP
  trap 'echo "$HP_BEFORE" > $HP' EXIT
fi

# A session of its own (its own autogroup) whose weight the suite sets.
SUITE=(python3 scripts/bench/suite.py --build "$BUILD" --out "$OUT" "${QUICK[@]}" "${ONLY[@]}")
rc=0
setsid -w bash -c 'if [[ $0 != 0 ]]; then echo "$0" > /proc/self/autogroup; fi; exec "$@"' \
  "$NICE" "${SUITE[@]}" || rc=$?

if (( REPORT )) && [[ -f $OUT ]]; then
  python3 scripts/bench/report.py "$OUT" --docs docs/benchmarks.md --img docs/img
fi
exit $rc
