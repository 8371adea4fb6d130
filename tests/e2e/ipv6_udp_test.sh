#!/usr/bin/env bash
# 5. An IPv6 VIP (IP6IP6) and a UDP VIP (GUE) end to end.
source "$(dirname "$0")/e2e_lib.sh"
e2e_setup 3 3
out=$(spread 60 "[$TOPO_VIP6]")
log "IPv6 answers: $(echo "$out" | tr '\n' ' ')"
check "IPv6 VIP: no failed request" bash -c "! echo '$out' | grep -q '^FAILED '"
check "IPv6 VIP: all three backends answer" test "$(echo "$out" | grep -c '^b[123] ')" -eq 3
# UDP: each request from a new source port; the reply must come from the VIP.
udp=$(topo_exec cl /usr/bin/python3 "$E2E_SRC/tests/e2e/udp_ask.py" $TOPO_VIP4 5353 40 |
  sort | uniq -c | awk '{print $2, $1}')
log "UDP answers: $(echo "$udp" | tr '\n' ' ')"
check "UDP VIP: every request answered by a backend, from the VIP" bash -c "! echo '$udp' | grep -qvE '^b[123] '"
check "UDP VIP: at least two backends answer" test "$(echo "$udp" | grep -c '^b[123] ')" -ge 2
check "GUE was used" test "$(dp_counter fwd_gue)" -gt 0
e2e_finish
