#!/usr/bin/env bash
# 2. Direct server return: the LB only ever sees client-to-VIP packets; the
#    backends' replies reach the client without crossing the LB.
source "$(dirname "$0")/e2e_lib.sh"
e2e_setup 3 3
# Captures: replies (source = VIP) on the LB's interface, and on the client.
ip netns exec "$(topo_ns lb)" tcpdump -i eth0 -n --immediate-mode -U -w "$TOPO_DIR/lb.pcap" "src host $TOPO_VIP4" 2>"$TOPO_DIR/lb.cap.log" &
lb_cap=$!
ip netns exec "$(topo_ns cl)" tcpdump -i eth0 -n --immediate-mode -U -w "$TOPO_DIR/cl.pcap" "src host $TOPO_VIP4" 2>"$TOPO_DIR/cl.cap.log" &
cl_cap=$!
ip netns exec "$(topo_ns b1)" tcpdump -i eth0 -n --immediate-mode -U -w "$TOPO_DIR/b1.pcap" "dst host $(topo_backend4 1)" 2>"$TOPO_DIR/b1.cap.log" &
b1_cap=$!
# tcpdump says "listening on" once its capture is active.
for c in lb cl b1; do wait_for 10 "the $c capture to start" grep -q "listening on" "$TOPO_DIR/$c.cap.log"; done
fwd_before=$(dp_counter tx_forwarded)
out=$(spread 60 $TOPO_VIP4)
fwd_after=$(dp_counter tx_forwarded)
# libpcap's TPACKET_V3 ring hands packets over block by block; without
# --immediate-mode a capture stopped right after the traffic can report
# "0 packets captured". Wait until the captures that must see packets have
# written some (a pcap file header alone is 24 bytes) before stopping them.
pcap_has_packets() { (($(stat -c %s "$1" 2>/dev/null || echo 0) > 24)); }
wait_for 10 "the client capture to record replies" pcap_has_packets "$TOPO_DIR/cl.pcap"
wait_for 10 "the b1 capture to record tunnelled packets" pcap_has_packets "$TOPO_DIR/b1.pcap"
kill -INT $lb_cap $cl_cap $b1_cap; wait $lb_cap $cl_cap $b1_cap 2>/dev/null
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
