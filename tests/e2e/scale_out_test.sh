#!/usr/bin/env bash
# 7. Scale-out (docs/scale-out.md): three load balancers announce the VIPs
#    over BGP (each maglbd drives its own BIRD) to a router that spreads
#    flows over them with ECMP. Checks that flows spread over every LB, that
#    every LB picks the same backend for a flow, that a gracefully stopped
#    LB and a LB whose link fails are withdrawn and that long-lived
#    connections move to the others without breaking, and that a VIP whose
#    backends all fail is withdrawn. Prints the failover times.
source "$(dirname "$0")/e2e_lib.sh"
source "$E2E_SRC/scripts/lib/fleet.sh"
if [[ $MODE != xdp ]]; then
  echo "SKIP: the scale-out test runs three XDP load balancers (DPDK over af_packet x3 would not fit two cores)"
  exit 77
fi
if [[ ! -x /usr/sbin/bird ]]; then
  echo "SKIP: BIRD 2 is not installed (scripts/setup.sh installs bird2)"
  exit 77
fi
NLB=3
NB=3
e2e_dump_logs() {
  local f
  for f in "$TOPO_DIR"/lb*/maglbd.log "$TOPO_DIR"/rt-bird.log; do
    [[ -f $f ]] && { echo "--- $f (last 30 lines)"; tail -30 "$f"; }
  done
  [[ -S $TOPO_DIR/rt-bird.ctl ]] && fleet_birdc show protocols
}
trap e2e_cleanup EXIT
trap "exit 1" INT TERM
now() { date +%s.%N; }
ms_since() { /usr/bin/python3 -c "import sys; print(int((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$1" "$(now)"; }
paths_are() { [[ $(fleet_paths "$2") == "$1" ]]; }
# poll_until TIMEOUT_S COMMAND...: like wait_for, but polls every 20 ms, for timing.
poll_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.02
  done
}
lb_of_port() {  # the LB (1..N) the router's ECMP sends client port $1's flow to
  topo_exec rt ip route get $TOPO_VIP4 from $FLEET_CL4 iif eth1 ipproto tcp sport "$1" dport 80 |
    sed -n 's/.* via 198\.18\.0\.\([0-9]*\) .*/\1/p'
}
forwarded() {  # packets lbK's XDP program forwarded so far
  fleet_ctl "$1" "$BUILD" stats --json | /usr/bin/python3 -c '
import json, sys
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "tx_forwarded" and isinstance(v, int):
                yield v
            else:
                yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)
print(max(list(walk(json.load(sys.stdin))) or [-1]))'
}

fleet_up $NLB $NB
for ((i = 1; i <= NB; i++)); do topo_start_backend "$i" "$BUILD/controlplane/decap/maglb-decap"; done
fleet_start_router $NLB
for ((k = 1; k <= NLB; k++)); do
  fleet_write_config "$k" xdp "$TOPO_DIR/lb$k/maglb.json" $NB
  fleet_start_lb "$k" "$TOPO_DIR/lb$k/maglb.json" "$BUILD" || { log "FAIL - lb$k did not start"; e2e_dump_logs; exit 1; }
done
check "the router has $NLB equal paths to $TOPO_VIP4" wait_for 60 "ECMP over $NLB LBs" paths_are $NLB $TOPO_VIP4
check "the router has $NLB equal paths to $TOPO_VIP6" wait_for 30 "ECMP over $NLB LBs (IPv6)" paths_are $NLB $TOPO_VIP6
status=$(fleet_ctl 1 "$BUILD" status)
log "lb1 status: $(echo "$status" | grep '^bgp' | tr '\n' ';')"
check "maglbctl status shows both VIPs announced" bash -c "echo '$status' | grep -q '^bgp announced $TOPO_VIP4 $TOPO_VIP6'"
check_eq "established BGP sessions in maglbctl status" "$(echo "$status" | grep -c '^bgp peer.*Established')" 2
community=$(fleet_birdc show route $TOPO_VIP4/32 all | grep -c "BGP.community: (65001,100)")
check_eq "routes on the router carrying the configured community" "$community" $NLB

# --- spread: many new connections, and every LB agrees on every backend.
declare -A fwd0
for ((k = 1; k <= NLB; k++)); do fwd0[$k]=$(forwarded "$k"); done
N=300
# One line per connection, "backend client-port", written with one printf
# so that the 8 parallel writers never interleave within a line.
seq $N | xargs -P 8 -I{} ip netns exec "$(topo_ns cl)" sh -c \
  'r=$(curl -s -m 3 -w " %{local_port}" "http://$0/"); printf "%s\n" "$(echo $r)"' $TOPO_VIP4 \
  >"$TOPO_DIR/spread.txt" 2>/dev/null
answered=$(grep -c '^b[0-9]* [0-9]*$' "$TOPO_DIR/spread.txt")
check_eq "answered connections" "$answered" $N
carrying=0
for ((k = 1; k <= NLB; k++)); do
  d=$(($(forwarded "$k") - fwd0[$k]))
  log "lb$k forwarded $d packets"
  ((d > 0)) && carrying=$((carrying + 1))
done
# Each of the 300 flows picks one of 3 paths: P(a path gets none) = (2/3)^300.
check_eq "load balancers that carried traffic" "$carrying" $NLB
declare -A per_lb
disagree=0
checked=0
while read -r who port; do
  lb=$(lb_of_port "$port")
  per_lb[$lb]=$((${per_lb[$lb]:-0} + 1))
  # Every LB's choice for this flow, by maglbctl trace, must be the backend
  # that answered, whichever LB the router picked.
  for ((k = 1; k <= NLB; k++)); do
    pick=$(fleet_ctl "$k" "$BUILD" trace "$FLEET_CL4:$port" "$TOPO_VIP4:80/tcp" |
      sed -n 's/^new flow goes to .*(\(b[0-9]*\))$/\1/p')
    [[ $pick == "$who" ]] || disagree=$((disagree + 1))
  done
  checked=$((checked + 1))
done < <(grep '^b[0-9]* [0-9]*$' "$TOPO_DIR/spread.txt")
log "flows per LB (router's ECMP choice): $(for k in "${!per_lb[@]}"; do echo -n "lb$k=${per_lb[$k]} "; done)"
check "every LB's trace names the backend that answered, for all $checked flows ($disagree disagreements)" \
  test "$disagree" -eq 0 -a "$checked" -eq $N

# --- failover with long-lived connections.
LC=60
ip netns exec "$(topo_ns cl)" /usr/bin/python3 "$E2E_SRC/tests/e2e/longconn.py" $TOPO_VIP4 80 $LC \
  "$TOPO_DIR/stop" "$TOPO_DIR/report.json" "$TOPO_DIR/ready" 20 &
client=$!
wait_for 20 "the long-lived connections" test -f "$TOPO_DIR/ready"
rounds() { cat "$TOPO_DIR/ready"; }
progress() { (($(rounds) >= $1)); }
# Which LB carries each long-lived connection before anything fails.
declare -A lc_lb
for port in $(topo_exec cl ss -Htn state established dst $TOPO_VIP4 | awk '{split($3, a, ":"); print a[2]}'); do
  lc_lb[$port]=$(lb_of_port "$port")
done
on2=0 on3=0
for p in "${!lc_lb[@]}"; do
  [[ ${lc_lb[$p]} == 2 ]] && on2=$((on2 + 1))
  [[ ${lc_lb[$p]} == 3 ]] && on3=$((on3 + 1))
done
log "long-lived connections: ${#lc_lb[@]}, on lb2 $on2, on lb3 $on3"
check "long-lived connections on lb2 and on lb3" test "$on2" -gt 0 -a "$on3" -gt 0

# Graceful: SIGTERM maglbd on lb2; it withdraws, keeps forwarding for
# withdraw_delay_ms, stops BIRD, then stops forwarding itself (detaches
# XDP; its link stays up): a flow the routers still sent there would now be
# lost, so the connections' survival shows the withdrawal came first.
check "lb2's XDP program is attached before the stop" bash -c "ip -n $(topo_ns lb2) link show eth0 | grep -q 'prog/xdp'"
r0=$(rounds)
t0=$(now)
kill -TERM "$(cat "$TOPO_DIR/lb2/maglbd.pid")"
check "graceful stop of lb2: its IPv4 route is withdrawn" poll_until 15 paths_are 2 $TOPO_VIP4
graceful_ms=$(ms_since "$t0")
check "graceful stop of lb2: its IPv6 route is withdrawn" poll_until 15 paths_are 2 $TOPO_VIP6
graceful6_ms=$(ms_since "$t0")
check "maglbd on lb2 exited after the withdraw delay" \
  wait_for 15 "maglbd on lb2 to exit" bash -c "! kill -0 $(cat "$TOPO_DIR/lb2/maglbd.pid")"
check "lb2 stopped forwarding after the withdraw (logged)" \
  grep -q "forwarding stopped after the withdraw" "$TOPO_DIR/lb2/maglbd.log"
check "lb2's XDP program is detached" bash -c "! ip -n $(topo_ns lb2) link show eth0 | grep -q 'prog/xdp'"
check "long-lived connections keep going after lb2 stopped" wait_for 30 "5 more rounds" progress $((r0 + 5))
log "failover (graceful stop of lb2): route withdrawn on the router after ${graceful_ms} ms (IPv4), ${graceful6_ms} ms (IPv6)"

# Failure: lb3's link goes down with no warning; the router notices when the
# BGP hold time (3 s) expires. Connections on lb3 stall until then and
# retransmit.
r0=$(rounds)
t0=$(now)
ip -n "$(topo_ns sw)" link set "p-lb3" down
check "link failure of lb3: its route is withdrawn" poll_until 15 paths_are 1 $TOPO_VIP4
linkdown_ms=$(ms_since "$t0")
# One complete round after the withdrawal: every connection, including
# lb3's (TCP retransmission), answered again.
r1=$(rounds)
check "long-lived connections answer again after lb3 failed" wait_for 40 "2 more rounds" progress $((r1 + 2))
resumed_ms=$(ms_since "$t0")
log "failover (link down on lb3): route withdrawn after ${linkdown_ms} ms, every connection answered again after ${resumed_ms} ms"

# maglbd on lb1 crashes (kill -9) and restarts: BIRD and the XDP program
# carry on, and the new maglbd adopts BIRD without withdrawing anything.
r0=$(rounds)
kill -9 "$(cat "$TOPO_DIR/lb1/maglbd.pid")"
wait_for 10 "maglbd on lb1 to die" bash -c "! kill -0 $(cat "$TOPO_DIR/lb1/maglbd.pid")"
installs0=$(grep -c "first table installed after the restart" "$TOPO_DIR/lb1/maglbd.log")
fleet_start_daemon 1 "$TOPO_DIR/lb1/maglb.json" "$BUILD"
# Sample the router's paths until the restarted daemon has installed its
# first table (the moment it could flap the routes) and 1 s beyond, 20 s
# at most.
min4=9 min6=9 settled=0 samples=0
for ((i = 0; i < 400 && settled < 20; i++)); do
  p4=$(fleet_paths $TOPO_VIP4) p6=$(fleet_paths $TOPO_VIP6)
  ((p4 < min4)) && min4=$p4
  ((p6 < min6)) && min6=$p6
  samples=$((samples + 1))
  (($(grep -c "first table installed after the restart" "$TOPO_DIR/lb1/maglbd.log") > installs0)) &&
    settled=$((settled + 1))
  sleep 0.05
done
check "the restarted maglbd installed its first table while the routes were watched ($samples samples)" \
  test "$settled" -ge 20
check "maglbd crash + restart on lb1: the routes stayed (fewest paths seen: $min4 IPv4, $min6 IPv6)" \
  test "$min4" -eq 1 -a "$min6" -eq 1
check "the restarted maglbd adopted the running BIRD" grep -q "BIRD is running" "$TOPO_DIR/lb1/maglbd.log"
check "long-lived connections keep going through the restart" wait_for 30 "3 more rounds" progress $((r0 + 3))

touch "$TOPO_DIR/stop"
wait $client
read -r total broken moved moved2 moved3 < <(/usr/bin/python3 - "$TOPO_DIR/report.json" "$(for p in "${!lc_lb[@]}"; do echo -n "$p=${lc_lb[$p]},"; done)" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
lb = dict(kv.split("=") for kv in sys.argv[2].split(",") if kv)
ok = [c for c in r if not c["error"]]
print(len(r), len(r) - len(ok), sum(1 for c in r if len(c["backends"]) != 1),
      sum(1 for c in ok if lb.get(str(c["sport"])) == "2"),
      sum(1 for c in ok if lb.get(str(c["sport"])) == "3"))
PY
)
log "long-lived connections: $total, broken $broken, changed backend $moved; survived a move off lb2: $moved2, off lb3: $moved3"
check "no long-lived connection broke ($broken of $total)" test "$broken" -eq 0 -a "$total" -eq $LC
check_eq "long-lived connections that changed backend" "$moved" 0
check "connections that were on lb2 ($on2) and lb3 ($on3) all survived" \
  test "$moved2" -eq "$on2" -a "$moved3" -eq "$on3"
spread_after=$(seq 40 | xargs -P 8 -I{} ip netns exec "$(topo_ns cl)" curl -s -m 3 "http://$TOPO_VIP4/" -w '\n' 2>/dev/null | grep -c '^b')
check_eq "new connections through the remaining LB" "$spread_after" 40

# --- health: every backend down -> withdrawn; one back -> announced again.
# The IPv6 address carries only the health-checked TCP VIP; the IPv4 address
# also carries the unchecked UDP VIP, so it stays announced (any VIP of an
# address that can take a flow keeps it announced).
for ((i = 1; i <= NB; i++)); do topo_stop_backend_http "$i"; done
t0=$(now)
check "all backends down: lb1 withdraws $TOPO_VIP6" poll_until 20 paths_are 0 $TOPO_VIP6
log "health withdrawal after the last backend stopped: $(ms_since "$t0") ms"
check_eq "paths to $TOPO_VIP4 (its unchecked UDP VIP keeps it)" "$(fleet_paths $TOPO_VIP4)" 1
topo_restart_backend_http 1
check "a backend up again: lb1 announces $TOPO_VIP6 again" poll_until 20 paths_are 1 $TOPO_VIP6
check "lb2's log records the graceful withdrawal" grep -q "BGP: withdrew every VIP" "$TOPO_DIR/lb2/maglbd.log"
e2e_finish
