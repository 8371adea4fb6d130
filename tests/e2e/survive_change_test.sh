#!/usr/bin/env bash
# 4. Established connections survive change: long-lived keep-alive HTTP
#    connections keep their backend and never fail through adding a backend,
#    removing another, a weight change, a drain, a config reload and a
#    restart of the control-plane daemon.
source "$(dirname "$0")/e2e_lib.sh"
e2e_setup 4 3   # b4 runs but is not in the config yet
ctl() { lb_ctl "$BUILD" "$@"; }
VIP=$TOPO_VIP4:80/tcp
N=24
/usr/bin/python3 -c 1 || exit 1
# The client is not pinned: on veth the sender's CPU runs the LB's XDP
# program, so its connections meet the XDP program on either CPU, whose
# flow table adopts another CPU's entry (docs/xdp.md, "Flows that change
# CPU") rather than re-picking a drained backend.
ip netns exec "$(topo_ns cl)" /usr/bin/python3 "$E2E_SRC/tests/e2e/longconn.py" $TOPO_VIP4 80 $N \
  "$TOPO_DIR/stop" "$TOPO_DIR/report.json" "$TOPO_DIR/ready" &
client=$!
wait_for 20 "the long-lived connections" test -f "$TOPO_DIR/ready"
gen() { ctl status --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("generation", -1))'; }
g0=$(gen)
step() {  # step DESCRIPTION COMMAND...: run a change, let traffic flow over it
  local what=$1; shift
  local r0; r0=$(cat "$TOPO_DIR/ready")
  check "$what" "$@"
  # Every connection makes at least 5 more requests over the new state.
  wait_for 30 "traffic after: $what" bash -c "(( \$(cat $TOPO_DIR/ready) >= $((r0 + 5)) )) || ! kill -0 $client"
}
step "backend add b4" ctl backend add $VIP "$(topo_backend4 4)" --weight 100 --name b4
step "backend remove b3" ctl backend remove $VIP "$(topo_backend4 3)"
step "weight change b2 -> 300" ctl backend weight $VIP "$(topo_backend4 2)" 300
step "drain b1" ctl backend drain $VIP "$(topo_backend4 1)"
new=$(spread 40 $TOPO_VIP4)
check "new connections avoid drained b1 and removed b3" bash -c "! echo '$new' | grep -qE '^(b1|b3) '"
# Reload: the file the daemon rewrote, with b2's weight changed by hand.
sed -i 's/"weight": 300/"weight": 250/' "$TOPO_DIR/maglb.json"
step "config reload" ctl reload
lb_stop_daemon
lb_start_daemon "$TOPO_DIR/maglb.json" "$BUILD"
if [[ $MODE == xdp ]]; then
  check "the restarted daemon reused the pinned XDP maps (connection tracking kept)" \
    wait_for 10 "the reuse message" grep -q "reusing the maps pinned" "$TOPO_DIR/maglbd.log"
fi
step "daemon restarted" wait_for 30 "maglbd back" ctl status
# The restarted daemon installs its first table once the health checks have
# spoken (docs/daemon.md, section 3): wait for it, bounded.
check "runtime changes persisted across the restart (b4 present, b3 absent)" \
  wait_for 10 "the restarted daemon's tables" bash -c \
  "ctl() { ip netns exec $(topo_ns lb) $BUILD/controlplane/cli/maglbctl \"\$@\" --socket $TOPO_DIR/maglbd.sock; }; \
   out=\$(ctl vip show $VIP); echo \"\$out\" | grep -q '$(topo_backend4 4)' && ! echo \"\$out\" | grep -q '$(topo_backend4 3) '"
check "the table generation moved on ($g0 -> $(gen))" test "$(gen)" -gt "$g0"
touch "$TOPO_DIR/stop"
wait $client
report=$TOPO_DIR/report.json
log "connections: $(/usr/bin/python3 -c "import json; r=json.load(open('$report')); print([(c['backends'], c['ok'], c['error']) for c in r])")"
# Connections whose backend was removed (b3) are re-balanced by design
# (docs/forwarding.md section 5); every other one must be intact.
read -r kept broken moved < <(/usr/bin/python3 -c "
import json
r = json.load(open('$report'))
kept = [c for c in r if c['backends'] != ['b3']]
print(len(kept), sum(1 for c in kept if c['error']), sum(1 for c in kept if len(c['backends']) != 1))")
check "connections on surviving backends: $kept, none broken ($broken)" test "$broken" -eq 0 -a "$kept" -gt 0
check_eq "connections that changed backend" "$moved" 0
check "every connection made requests through all the changes" /usr/bin/python3 -c "
import json, sys
r = json.load(open('$report'))
sys.exit(0 if all(c['ok'] >= 20 for c in r if c['backends'] != ['b3']) else 1)"
e2e_finish
