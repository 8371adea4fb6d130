#!/usr/bin/env bash
# The main job, on one machine: a client, a maglb load balancer and three
# backends running nginx, each in its own network namespace on one L2
# segment. The control-plane daemon reads a JSON config, health-checks the
# backends and programs the dataplane (XDP natively on the LB's veth, or the
# DPDK dataplane on net_af_packet over it); the backends decapsulate with
# maglb-decap and answer the client directly (direct server return).
#
#   sudo scripts/demo.sh                 # XDP mode, traffic, stats, tear down
#   sudo scripts/demo.sh --mode dpdk     # the DPDK dataplane instead
#   sudo scripts/demo.sh --keep          # leave it running (prints how to stop)
#   sudo scripts/demo.sh --down          # tear a kept demo down
#
# Addresses: 198.18.0.0/24 and 2001:db8::/64, only inside the namespaces made here.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODE=xdp KEEP=0 REQUESTS=300 DOWN=0
while (($#)); do
  case $1 in
    --mode) MODE=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --down) DOWN=1; shift ;;
    --requests) REQUESTS=$2; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $MODE == xdp || $MODE == dpdk ]] || { echo "demo.sh: --mode must be xdp or dpdk" >&2; exit 2; }
[[ $EUID -eq 0 ]] || { echo "demo.sh: run as root (namespaces, XDP, DPDK)" >&2; exit 1; }

export TOPO=mdemo TOPO_DIR=/tmp/maglb-demo
source scripts/lib/topology.sh
source scripts/lib/lb.sh
if ((DOWN)); then topo_down; echo "demo: torn down"; exit 0; fi

scripts/setup.sh
[[ ${MAGLB_SKIP_BUILD:-0} == 1 ]] || scripts/build.sh >/dev/null
B=${MAGLB_BUILD_DIR:-build}
[[ $B == /* ]] || B=$ROOT/$B
topo_down
((KEEP)) || { trap topo_down EXIT; trap "exit 1" INT TERM; }

WEIGHTS=(100 100 200)
echo "== testbed: client, lb ($MODE), backends b1 b2 b3 (weights ${WEIGHTS[*]})"
topo_up 3
for i in 1 2 3; do topo_start_backend "$i" "$B/controlplane/decap/maglb-decap"; done
topo_write_config "$MODE" "$TOPO_DIR/maglb.json" 3 "${WEIGHTS[@]}"
lb_start "$MODE" "$TOPO_DIR/maglb.json" "$B"
lb_wait_all_up 30 "$B" 3

echo "== $REQUESTS HTTP requests from the client to http://$TOPO_VIP4/ (each a new connection)"
declare -A seen=()
for ((r = 0; r < REQUESTS; r++)); do
  who=$(topo_exec cl curl -s -m 2 "http://$TOPO_VIP4/") || who=FAILED
  seen[$who]=$((${seen[$who]:-0} + 1))
done
total_w=0
for w in "${WEIGHTS[@]}"; do total_w=$((total_w + w)); done
printf '%-8s %8s %8s %10s\n' backend answers share "weight"
for i in 1 2 3; do
  n=${seen[b$i]:-0}
  printf '%-8s %8d %7.1f%% %5d (%4.1f%%)\n' "b$i" "$n" "$(echo "100*$n/$REQUESTS" | bc -l)" \
    "${WEIGHTS[$((i - 1))]}" "$(echo "100*${WEIGHTS[$((i - 1))]}/$total_w" | bc -l)"
done
# The demo is README's first command: it fails loudly if the load balancer
# did not do its job (a failed request, or a backend that never answered).
demo_ok=1
((${seen[FAILED]:-0} == 0)) || { echo "demo: FAILED requests: ${seen[FAILED]} of $REQUESTS" >&2; demo_ok=0; }
for i in 1 2 3; do
  ((${seen[b$i]:-0} > 0)) || { echo "demo: backend b$i answered no request" >&2; demo_ok=0; }
done

echo "== IPv6: curl http://[$TOPO_VIP6]/ -> $(topo_exec cl curl -s -m 2 "http://[$TOPO_VIP6]/")"
echo "== UDP: 5 requests to $TOPO_VIP4:5353 -> $(topo_exec cl /usr/bin/python3 tests/e2e/udp_ask.py $TOPO_VIP4 5353 5 | tr '\n' ' ')"
echo "== maglbctl stats"
lb_ctl "$B" stats
echo "== maglbctl vip show $TOPO_VIP4:80/tcp"
lb_ctl "$B" vip show "$TOPO_VIP4:80/tcp"
if ((KEEP)); then
  echo "demo left running: 'sudo ip netns exec $(topo_ns cl) curl http://$TOPO_VIP4/' to use it, 'sudo scripts/demo.sh --down' to stop it"
fi
if ((!demo_ok)); then
  echo "demo: the load balancer did not serve every request; the daemon's last lines:" >&2
  tail -20 "$TOPO_DIR/maglbd.log" >&2 || true
  exit 1
fi
echo "demo: OK ($REQUESTS of $REQUESTS requests served, every backend answered)"
