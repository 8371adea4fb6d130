#!/usr/bin/env bash
# 7. Per-VIP and per-backend traffic statistics: after N new connections the
#    VIP's and every answering backend's packet, byte and new-flow counters in
#    `maglbctl stats --json` are non-zero, the backends' counters sum to the
#    VIP's, and each backend opened at least as many flows as it answered.
source "$(dirname "$0")/e2e_lib.sh"
e2e_setup 3 3
N=60
out=$(spread $N $TOPO_VIP4)
log "answers: $(echo "$out" | tr '\n' ' ')"
failed=$(echo "$out" | awk '$1 == "FAILED" {print $2}')
check_eq "failed requests" "${failed:-0}" 0
answers=$(echo "$out" | awk '$1 != "FAILED" {printf "%s=%s,", $1, $2}')
lb_ctl "$BUILD" stats --json >"$TOPO_DIR/stats.json"
verdicts=$(/usr/bin/python3 - "$TOPO_DIR/stats.json" "$TOPO_VIP4:80/tcp" "$N" "$answers" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
vip_id, n = sys.argv[2], int(sys.argv[3])
answers = dict(kv.split("=") for kv in sys.argv[4].split(",") if kv)
vip = next((v for v in doc["vips"] if v["vip"] == vip_id), None)
if vip is None:
    print("FAIL no VIP", vip_id, "in stats"); sys.exit()
# A connection is at least SYN, ACK and the request from the client.
print("OK" if vip["new_flows"] >= n else "FAIL", "vip new_flows", vip["new_flows"], ">=", n)
print("OK" if vip["packets"] >= 3 * n else "FAIL", "vip packets", vip["packets"], ">=", 3 * n)
print("OK" if vip["bytes"] >= 3 * n * 40 else "FAIL", "vip bytes", vip["bytes"], ">=", 3 * n * 40)
for k in ("packets", "bytes", "new_flows"):
    s = sum(b[k] for b in vip["backends"])
    print("OK" if s == vip[k] else "FAIL", "backends' %s sum to the VIP's" % k, s, "==", vip[k])
for b in vip["backends"]:
    want = int(answers.get(b["name"], 0))
    print("OK" if b["new_flows"] >= want and (want == 0 or b["packets"] > 0) else "FAIL",
          "backend", b["name"], "new_flows", b["new_flows"], ">= answers", want,
          "packets", b["packets"])
PY
)
while read -r verdict rest; do
  check "$rest" test "$verdict" == OK
done <<<"$verdicts"
# The metrics endpoint exports the same counters (non-zero for the VIP).
metric=$(topo_exec lb curl -s http://127.0.0.1:9108/metrics | awk -v v="$TOPO_VIP4:80/tcp" \
  '$1 ~ /^maglb_vip_packets_total/ && index($1, v) {print $2}')
check "metric maglb_vip_packets_total for the VIP is > 0 (got '${metric}')" \
  bash -c "[[ -n '$metric' ]] && (( ${metric%.*} > 0 ))"
e2e_finish
