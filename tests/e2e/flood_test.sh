#!/usr/bin/env bash
# Floods (docs/robustness.md, "Floods"): while long-lived keep-alive
# connections run, an unpaced SYN flood from scattered sources overflows a
# small flow table, and a paced stream of malformed and non-VIP frames
# arrives. Established connections keep their backends and never fail,
# nothing crashes, and the counters account for every frame: each kind of
# junk lands in its named drop counter exactly, no other drop counter moves
# (drop_tx_full is reported: the veth can refuse bursts), and
# rx_packets = tx_forwarded + tx_icmp_generated + pass_to_kernel + drops.
source "$(dirname "$0")/e2e_lib.sh"
export TOPO_FLOWS=4096  # the flood must overflow the table
SYNS=${FLOOD_SYNS:-30000}
JUNK_ROUNDS=${FLOOD_JUNK_ROUNDS:-150}
e2e_setup 3 3
totals() {  # totals FILE: the dataplane's counters summed over cores, as JSON
  lb_ctl "$BUILD" stats --json | /usr/bin/python3 -c '
import json, sys
print(json.dumps(json.load(sys.stdin)["totals"]))' >"$1"
}
invariant_holds() {  # the counter invariant, on one consistent read
  totals "$TOPO_DIR/end.json"
  /usr/bin/python3 - "$TOPO_DIR/end.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
drops = sum(v for k, v in t.items() if k.startswith("drop_"))
out = t["tx_forwarded"] + t["tx_icmp_generated"] + t["pass_to_kernel"] + drops
sys.exit(0 if t["rx_packets"] == out else 1)
PY
}

ip netns exec "$(topo_ns cl)" /usr/bin/python3 "$E2E_SRC/tests/e2e/longconn.py" $TOPO_VIP4 80 12 \
  "$TOPO_DIR/stop" "$TOPO_DIR/report.json" "$TOPO_DIR/ready" &
client=$!
wait_for 20 "the long-lived connections" test -f "$TOPO_DIR/ready"
totals "$TOPO_DIR/start.json"
lb_mac=$(ip -n "$(topo_ns lb)" -br link show eth0 | awk '{print $3}')
flood() {  # flood HOST IFACE MODE COUNT SECONDS REPORT
  local host=$1 ifc=$2; shift 2
  ip netns exec "$(topo_ns "$host")" /usr/bin/python3 "$E2E_SRC/tests/e2e/flood.py" "$ifc" "$lb_mac" \
    $TOPO_VIP4 $TOPO_VIP6 "$@"
}
# The SYN flood crosses the bridge from the client. The junk is sent on the
# LB's own link (its bridge port) after the flood: the bridge validates IP
# headers (br_netfilter) and would drop most malformed frames itself, and
# an unpaced flood overflows the receive ring, losing frames before the
# dataplane can count them.
flood cl eth0 syn "$SYNS" 60 "$TOPO_DIR/syn.json"
flood sw p-lb junk "$JUNK_ROUNDS" 60 "$TOPO_DIR/junk.json"
r0=$(cat "$TOPO_DIR/ready")
check "established connections keep going after the flood" \
  wait_for 30 "5 more rounds" bash -c "(( \$(cat $TOPO_DIR/ready) >= $((r0 + 5)) ))"
check "the dataplane survived" lb_ctl "$BUILD" stats
touch "$TOPO_DIR/stop"
wait $client
check "the counter invariant holds exactly" wait_for 10 "a consistent read" invariant_holds
capacity=$(lb_ctl "$BUILD" stats --json | /usr/bin/python3 -c '
import json, sys
print(json.load(sys.stdin)["flows"]["capacity"])')
log "sent: syn $(cat "$TOPO_DIR/syn.json"), junk $(cat "$TOPO_DIR/junk.json")"
report=$(/usr/bin/python3 - "$TOPO_DIR" "$capacity" <<'PY'
import json, sys
d, capacity = sys.argv[1], int(sys.argv[2])
a, b = json.load(open(d + "/start.json")), json.load(open(d + "/end.json"))
delta = {k: b[k] - a.get(k, 0) for k in b}
junk = json.load(open(d + "/junk.json"))
syn = json.load(open(d + "/syn.json")).get("syn", 0)
expect = {"drop_bad_ipv4": junk["bad_ipv4"] + junk["short_ipv4"],
          "drop_bad_ipv6": junk["bad_ipv6"], "drop_ipv6_ext_chain": junk["ext_chain"],
          "drop_bad_l4": junk["bad_tcp"], "drop_ttl_exceeded": junk["ttl1"]}
bad = [f"{k}: {delta.get(k, 0)} counted, {v} sent" for k, v in expect.items() if delta.get(k, 0) != v]
bad += [f"{k}: {v} unexplained" for k, v in delta.items()
        if k.startswith("drop_") and k not in expect and k != "drop_tx_full" and v]
print("drops:", {k: v for k, v in delta.items() if k.startswith("drop_") and v})
print("flow_new", delta["flow_new"], "flow_evicted", delta["flow_evicted"], "syn_sent", syn,
      "pass", delta["pass_to_kernel"], "non_vip_sent", junk["non_vip"])
print("MISMATCH " + "; ".join(bad) if bad else "EXACT")
print("OVERFLOW" if delta["flow_new"] > 4096 * 2 else "NO-OVERFLOW")
# Every insert takes a free slot (at most `capacity` of them; nothing times
# out during the test) or evicts a live flow, which is counted: so evictions
# make up at least the inserts beyond the capacity, and never exceed inserts.
ev, new = delta["flow_evicted"], delta["flow_new"]
print("EVICTED-COUNTED" if new - capacity <= ev <= new and ev > 0 else
      f"EVICTED-WRONG {ev} evicted, {new} new, capacity {capacity}")
print("PASSED" if delta["pass_to_kernel"] >= junk["non_vip"] else "PASS-SHORT")
PY
)
log "$report"
check "every junk frame in its drop counter, no unexplained drop" grep -q '^EXACT' <<<"$report"
check "the flood inserted more flows than the table holds (eviction ran)" grep -q '^OVERFLOW' <<<"$report"
check "evictions counted: flow_new - capacity <= flow_evicted <= flow_new" \
  grep -q '^EVICTED-COUNTED' <<<"$report"
check "non-VIP frames passed to the kernel" grep -q '^PASSED' <<<"$report"
read -r total broken moved < <(/usr/bin/python3 -c "
import json
r = json.load(open('$TOPO_DIR/report.json'))
print(len(r), sum(1 for c in r if c['error']), sum(1 for c in r if len(c['backends']) != 1))")
check "no established connection broken by the flood ($broken of $total)" test "$broken" -eq 0 -a "$total" -eq 12
check_eq "established connections that changed backend" "$moved" 0
e2e_finish
