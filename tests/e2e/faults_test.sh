#!/usr/bin/env bash
# Faults (docs/robustness.md, "Faults"), each checked under load:
#   1. kill -9 of maglbd: forwarding goes on with the last tables, new and
#      established connections alike; a restarted maglbd takes over without
#      breaking or moving a single connection.
#   2. (dpdk) kill -9 of the dataplane: maglbd notices (status, metrics,
#      log) and, when it is back, re-sends its settings and tables: traffic
#      flows again without any command. (xdp) the program removed from the
#      interface by someone else: maglbd's next check re-attaches it, with
#      the pinned maps, so traffic flows again and no connection breaks.
#   3. a config file replaced by a truncated one, then reload (command and
#      SIGHUP): rejected, the running config and tables untouched.
#   4. a backend that accepts TCP but never answers HTTP: the HTTP check
#      times out and marks it down; new connections avoid it.
source "$(dirname "$0")/e2e_lib.sh"
e2e_setup 3 3
ctl() { lb_ctl "$BUILD" "$@"; }
VIP=$TOPO_VIP4:80/tcp
json_field() {  # json_field FIELD: a top-level field of `status --json`
  ctl status --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1]))' "$1"
}
pid_alive() { kill -0 "$1" 2>/dev/null; }
fails() { ! "$@"; }
rounds_at_least() { (($(cat "$TOPO_DIR/ready") >= $1)) || ! pid_alive "$client"; }
served_all() {  # served_all N: N new connections, every one answered
  local out; out=$(spread "$1" $TOPO_VIP4)
  log "spread: $(echo "$out" | tr '\n' ' ')"
  [[ $(echo "$out" | awk '$1 != "FAILED" {s += $2} END {print s + 0}') == "$1" ]]
}

# ---- 1. kill -9 maglbd under load
ip netns exec "$(topo_ns cl)" /usr/bin/python3 "$E2E_SRC/tests/e2e/longconn.py" $TOPO_VIP4 80 12 \
  "$TOPO_DIR/stop" "$TOPO_DIR/report.json" "$TOPO_DIR/ready" &
client=$!
wait_for 20 "the long-lived connections" test -f "$TOPO_DIR/ready"
progress() {  # progress N: every connection made N more requests (or the client died)
  local r0; r0=$(cat "$TOPO_DIR/ready")
  wait_for 30 "$1 more rounds" rounds_at_least $((r0 + $1)) || return 1
  pid_alive $client
}
g0=$(json_field generation)
daemon=$(cat "$TOPO_DIR/maglbd.pid")
kill -9 "$daemon"
check "maglbd killed with SIGKILL" wait_for 10 "maglbd gone" fails pid_alive "$daemon"
check "established connections keep going without maglbd" progress 10
check "new connections are served without maglbd" served_all 30
lb_start_daemon "$TOPO_DIR/maglb.json" "$BUILD"
check "maglbd restarted" ctl status
# A restarted daemon keeps the dataplane's running table until its first
# health verdicts are in (docs/daemon.md), then installs its own: wait for it.
newer_generation() { (($(json_field generation) > g0)); }
check "the restart installed a newer generation (after $g0)" \
  wait_for 15 "a generation after $g0" newer_generation
check "established connections keep going after the restart" progress 10
touch "$TOPO_DIR/stop"
wait $client
read -r total broken moved < <(/usr/bin/python3 -c "
import json
r = json.load(open('$TOPO_DIR/report.json'))
print(len(r), sum(1 for c in r if c['error']), sum(1 for c in r if len(c['backends']) != 1))")
check "no connection broken by kill -9 and restart ($broken of $total)" test "$broken" -eq 0 -a "$total" -eq 12
check_eq "connections that changed backend" "$moved" 0

# ---- 2. kill -9 the DPDK dataplane
if [[ $MODE == dpdk ]]; then
  metric() { topo_exec lb curl -s -m 2 http://127.0.0.1:9108/metrics | awk -v m="$1" '$1 ~ "^"m {print $2; exit}'; }
  check_eq "metrics: dataplane up before the fault" "$(metric maglb_dataplane_up)" 1
  dp=$(cat "$TOPO_DIR/dataplane.pid")
  kill -9 "$dp"
  wait_for 10 "the dataplane gone" fails pid_alive "$dp"
  dp_up_is() { [[ $(json_field dataplane_up) == "$1" ]]; }
  check "status reports the dataplane down" wait_for 10 "dataplane_up false" dp_up_is False
  check_eq "metrics: maglb_dataplane_up 0" "$(metric maglb_dataplane_up)" 0
  check "the log says the dataplane is unreachable" grep -q "dataplane unreachable" "$TOPO_DIR/maglbd.log"
  lb_start_dataplane "$BUILD"
  check "status reports the dataplane up again" wait_for 15 "dataplane_up true" dp_up_is True
  check "maglbd re-sent settings and tables to the new dataplane" \
    wait_for 10 "the re-send message" grep -q "re-sent its settings and tables" "$TOPO_DIR/maglbd.log"
  check "traffic flows through the restarted dataplane" wait_for 20 "service" served_all 20
else
  attached() { ip -n "$(topo_ns lb)" link show eth0 | grep -q 'prog/xdp'; }
  check "the XDP program is attached before the fault" attached
  ip -n "$(topo_ns lb)" link set dev eth0 xdp off
  check "the XDP program is gone" fails attached
  check "maglbd re-attached it" wait_for 15 "the program back on eth0" attached
  check "the log says it was re-attached" \
    wait_for 5 "the re-attach message" grep -q "the program had been removed; re-attached" "$TOPO_DIR/maglbd.log"
  check "traffic flows through the re-attached program" wait_for 20 "service" served_all 20
fi

# ---- 3. a truncated config file on reload
cfg=$TOPO_DIR/maglb.json
cp "$cfg" "$TOPO_DIR/good.json"
g1=$(json_field generation)
shown() { ctl config show --json | /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["config"], sort_keys=True))'; }
before=$(shown)
head -c $(($(stat -c %s "$cfg") / 2)) "$TOPO_DIR/good.json" >"$TOPO_DIR/trunc.json"
mv "$TOPO_DIR/trunc.json" "$cfg"  # replaced whole, as an editor or deploy tool does
check "reload of a truncated file fails" fails ctl reload
kill -HUP "$(cat "$TOPO_DIR/maglbd.pid")"
check "SIGHUP with the truncated file is rejected too (2 rejections logged)" \
  wait_for 10 "a second rejected reload in the log" \
  bash -c "(( \$(grep -c 'reload rejected' $TOPO_DIR/maglbd.log) >= 2 ))"
check_eq "generation unchanged by the rejected reloads" "$(json_field generation)" "$g1"
check "running config unchanged" test "$(shown)" == "$before"
check "traffic unaffected" served_all 20
mv "$TOPO_DIR/good.json" "$cfg"
check "reload of the restored file succeeds" ctl reload

# ---- 4. a backend that accepts TCP but never answers HTTP
topo_stop_backend_http 3
ip netns exec "$(topo_ns b3)" /usr/bin/python3 "$E2E_SRC/tests/e2e/silent_tcp.py" 60 \
  "$(topo_backend4 3)" 80 "$(topo_backend6 3)" 80 &
silent=$!
check "b3 accepts TCP" wait_for 10 "a TCP connect to b3" \
  ip netns exec "$(topo_ns b3)" bash -c "exec 3<>/dev/tcp/$(topo_backend4 3)/80"
up_is() { [[ $(lb_up_count "$BUILD" $VIP) == "$1" ]]; }
check "b3 (silent) marked down by the HTTP check" wait_for 10 "2 backends up" up_is 2
reason=$(ctl vip show $VIP --json | /usr/bin/python3 -c '
import json, sys
print([b.get("reason", "") for b in json.load(sys.stdin)["backends"] if b["name"] == "b3"][0])')
log "b3 down reason: $reason"
check "b3's reason is a timeout" bash -c "echo '$reason' | grep -qi 'time'"
out=$(spread 60 $TOPO_VIP4)
check "no new connection goes to the silent b3" bash -c "! echo '$out' | grep -qE '^(b3|FAILED) '"
kill "$silent"
wait "$silent" 2>/dev/null
e2e_finish
