#!/usr/bin/env bash
# 2. Direct server return: the LB only ever sees client-to-VIP packets; the
#    backends' replies reach the client without crossing the LB.
source "$(dirname "$0")/e2e_lib.sh"
e2e_setup 3 3
# Captures: replies (source = VIP) on the LB's interface, and on the client.
topo_exec lb tcpdump -i eth0 -n -U -w "$TOPO_DIR/lb.pcap" "src host $TOPO_VIP4" >/dev/null 2>&1 &
lb_cap=$!
topo_exec cl tcpdump -i eth0 -n -U -w "$TOPO_DIR/cl.pcap" "src host $TOPO_VIP4" >/dev/null 2>&1 &
cl_cap=$!
topo_exec b1 tcpdump -i eth0 -n -U -w "$TOPO_DIR/b1.pcap" "dst host $(topo_backend4 1)" >/dev/null 2>&1 &
b1_cap=$!
wait_for 10 "captures to start" bash -c "[[ -s $TOPO_DIR/lb.pcap && -s $TOPO_DIR/cl.pcap && -s $TOPO_DIR/b1.pcap ]]"
fwd_before=$(dp_counter tx_forwarded)
out=$(spread 60 $TOPO_VIP4)
fwd_after=$(dp_counter tx_forwarded)
kill $lb_cap $cl_cap $b1_cap; wait $lb_cap $cl_cap $b1_cap 2>/dev/null
count() { tcpdump -n -r "$1" "${@:2}" 2>/dev/null | wc -l; }
replies_at_client=$(count "$TOPO_DIR/cl.pcap")
replies_at_lb=$(count "$TOPO_DIR/lb.pcap")
tunnelled_to_b1=$(count "$TOPO_DIR/b1.pcap" "ip proto 4")
log "answers: $(echo "$out" | tr '\n' ' ')"
check "the client received replies from the VIP ($replies_at_client)" test "$replies_at_client" -gt 0
check_eq "replies seen on the LB's interface" "$replies_at_lb" 0
check "b1 received IPIP-encapsulated packets ($tunnelled_to_b1)" test "$tunnelled_to_b1" -gt 0
check "the dataplane forwarded the client's packets ($fwd_before -> $fwd_after)" test "$fwd_after" -gt "$fwd_before"
e2e_finish
