#!/usr/bin/env bash
# 6. Bad input at the edges: a config with errors is refused by reload and
#    traffic keeps flowing; garbage on the control sockets is answered with an
#    error and traffic keeps flowing.
source "$(dirname "$0")/e2e_lib.sh"
e2e_setup 3 3
ctl() { lb_ctl "$BUILD" "$@"; }
gen() { ctl status --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("generation", -1))'; }
g0=$(gen)
cp "$TOPO_DIR/maglb.json" "$TOPO_DIR/good.json"
# Three errors in one file: a bad weight, a non-prime table size, an unknown field.
/usr/bin/python3 - "$TOPO_DIR/maglb.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["vips"][0]["backends"][0]["weight"] = 70000
c["vips"][0]["table_size"] = 65536
c["vips"][1]["colour"] = "blue"
json.dump(c, open(sys.argv[1], "w"))
PY
msg=$(ctl reload 2>&1); rc=$?
log "reload said: $(echo "$msg" | tr '\n' ' ')"
check "reload of a bad config fails" test $rc -ne 0
check "every error is listed with its path" bash -c "echo '$msg' | grep -q 'vips\[0\].backends\[0\].weight' && echo '$msg' | grep -q 'vips\[0\].table_size' && echo '$msg' | grep -q 'vips\[1\].colour'"
check_eq "table generation unchanged" "$(gen)" "$g0"
check_eq "traffic still flows" "$(http_get $TOPO_VIP4 | grep -c '^b[123]$')" 1
cp "$TOPO_DIR/good.json" "$TOPO_DIR/maglb.json"
# Garbage, an oversized line and a truncated request on the daemon's socket.
reply=$(printf 'this is not json\n' | topo_exec lb socat -t 2 - UNIX-CONNECT:"$TOPO_DIR/maglbd.sock" 2>&1)
log "daemon answered garbage with: $reply"
check "daemon answers garbage with an error" bash -c "echo '$reply' | grep -qi error"
head -c 3000000 /dev/zero | tr '\0' 'x' | topo_exec lb socat -t 2 - UNIX-CONNECT:"$TOPO_DIR/maglbd.sock" >/dev/null 2>&1
printf '{"command": "vip' | topo_exec lb socat -t 1 - UNIX-CONNECT:"$TOPO_DIR/maglbd.sock" >/dev/null 2>&1
check "daemon still answers" ctl status
if [[ $MODE == dpdk ]]; then
  reply=$(printf 'garbage garbage garbage!' | topo_exec lb socat -t 2 - UNIX-CONNECT:"$TOPO_DIR/dataplane.sock" | od -An -tx1 | head -2)
  check "the DPDK dataplane answers garbage (a response header)" test -n "$reply"
  check "the DPDK dataplane is still running" kill -0 "$(cat "$TOPO_DIR/dataplane.pid")"
fi
check_eq "traffic still flows after the garbage" "$(http_get $TOPO_VIP4 | grep -c '^b[123]$')" 1
check_eq "table generation still unchanged" "$(gen)" "$g0"
e2e_finish
