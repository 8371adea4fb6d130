#!/usr/bin/env bash
# 3. Backend failure under load: the health checker takes a dead backend out
#    within interval x fall (plus one timeout), new connections avoid it, the
#    others never fail; when it returns it takes traffic again after rise.
source "$(dirname "$0")/e2e_lib.sh"
# A recovered backend ramps its weight up over 6 s (slow start).
export TOPO_SLOW_START=6
e2e_setup 3 3
# Load: a client loop of new connections for the whole test (bounded).
( end=$((SECONDS + 60)); while ((SECONDS < end)) && [[ ! -f $TOPO_DIR/stop ]]; do
    http_get $TOPO_VIP4; done >"$TOPO_DIR/load.txt" ) &
load=$!
wait_for 10 "load to reach b2" grep -q b2 "$TOPO_DIR/load.txt"
t0=$(date +%s.%N)
topo_stop_backend_http 2
wait_for 10 "b2 to be marked down" bash -c "[[ \$(source $ROOT/scripts/lib/topology.sh; source $ROOT/scripts/lib/lb.sh; TOPO=$TOPO TOPO_DIR=$TOPO_DIR lb_up_count $BUILD $TOPO_VIP4:80/tcp) == 2 ]]"
t1=$(date +%s.%N)
detect_ms=$(echo "($t1 - $t0) * 1000 / 1" | bc)
# interval 500 ms x fall 2 + timeout 300 ms + one round of slack.
check "b2 marked down after ${detect_ms} ms (bound 2300 ms)" test "$detect_ms" -le 2300
out=$(spread 150 $TOPO_VIP4)
log "after removal: $(echo "$out" | tr '\n' ' ')"
check "no new connection reaches b2" bash -c "! echo '$out' | grep -q '^b2 '"
check "no request failed once b2 was out" bash -c "! echo '$out' | grep -q '^FAILED '"
check "b1 and b3 still serve" bash -c "echo '$out' | grep -q '^b1 ' && echo '$out' | grep -q '^b3 '"
topo_restart_backend_http 2
wait_for 10 "b2 to be up again" bash -c "[[ \$(source $ROOT/scripts/lib/topology.sh; source $ROOT/scripts/lib/lb.sh; TOPO=$TOPO TOPO_DIR=$TOPO_DIR lb_up_count $BUILD $TOPO_VIP4:80/tcp) == 3 ]]"
eff() { lb_ctl "$BUILD" vip show $TOPO_VIP4:80/tcp --json | /usr/bin/python3 -c '
import json, sys
print([b["effective_weight"] for b in json.load(sys.stdin)["backends"] if b["name"] == "b2"][0])'; }
w_early=$(eff)
check "b2 comes back ramping up (effective weight $w_early < 100)" test "$w_early" -lt 100
out=$(spread 150 $TOPO_VIP4)
log "after recovery: $(echo "$out" | tr '\n' ' ')"
check "b2 takes new connections again" bash -c "echo '$out' | grep -q '^b2 '"
check "b2 reaches its full weight after slow start" wait_for 15 "b2 at weight 100" bash -c "[[ \$(source $ROOT/scripts/lib/topology.sh; source $ROOT/scripts/lib/lb.sh; TOPO=$TOPO TOPO_DIR=$TOPO_DIR BUILD=$BUILD; $(declare -f eff); eff) == 100 ]]"
touch "$TOPO_DIR/stop"; wait $load
e2e_finish
