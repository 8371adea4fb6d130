#!/usr/bin/env bash
# Soak run (docs/robustness.md, "Soak"): the DPDK engine forwards
# established flows unpaced on a net_ring port for N minutes while a new
# table is installed every second (weights churn; every other table takes
# 50 backends out and the next brings them back, as health flaps do).
# Fails if a counter invariant breaks in any 5 s window, if anonymous
# memory or the mbuf pools' in-use counts grow, or if an install fails.
#   scripts/soak.sh [--minutes N | --seconds S] [--flows F] [--no-build]
# Default: 10 minutes, 100,000 flows. Needs root and ~300 free hugepages.
# The JSON document of the run is kept in $TMPDIR/maglb-soak-<pid>.json.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${MAGLB_BUILD_DIR:-build}
seconds=600 flows=100000 build=1
while (($#)); do
  case $1 in
    --minutes) seconds=$(($2 * 60)); shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --flows) flows=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ $EUID -ne 0 ]]; then echo "SKIP: the soak needs root (DPDK)"; exit 77; fi
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if ((free < 300)); then
  echo "SKIP: the soak needs 300 free hugepages, $free free (scripts/setup.sh configures 512)"
  exit 77
fi
((build)) && { ninja -C "$BUILD" tests/bench/bench_ring >/dev/null || exit 1; }
out=${TMPDIR:-/tmp}/maglb-soak-$$.json
"$BUILD/tests/bench/bench_ring" --mode soak --seconds "$seconds" --flows "$flows" >"$out"
rc=$?
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit("soak: no result document")
w = d["windows"]
mpps = statistics.median(x["mpps"] for x in w) if w else 0
print(f"soak: {d['seconds']:.0f} s, {len(w)} windows, {d['installs']} tables installed, "
      f"median {mpps:.2f} Mpps, {d['offered']} frames offered, {d['received']} received")
if w:
    print(f"soak: RssAnon {w[0]['rss_anon'] / 2**20:.1f} -> {w[-1]['rss_anon'] / 2**20:.1f} MiB "
          f"(max {max(x['rss_anon'] for x in w) / 2**20:.1f}); mbufs in use "
          f"engine {w[0]['engine_mbufs_in_use']} -> {w[-1]['engine_mbufs_in_use']}, "
          f"frames {w[0]['frame_mbufs_in_use']} -> {w[-1]['frame_mbufs_in_use']}")
for f in d["failures"]:
    print("soak: FAIL:", f)
print("soak:", "PASS" if d["pass"] else "FAIL")
PY
echo "soak: result document $out"
exit $rc
