# shellcheck shell=bash
# A fleet of load balancers behind an ECMP router, announced over BGP
# (docs/scale-out.md). Source after topology.sh and lb.sh. On topology.sh's
# bridge (198.18.0.0/24, 2001:db8::/64):
#   rt       198.18.0.254   2001:db8::fe    the router: BIRD, ECMP over the LBs
#   lb1..lbN 198.18.0.K     2001:db8::K     XDP + maglbd (which runs its own BIRD)
#   b1..bM   198.18.0.1I    2001:db8::1I    backends, default route via rt
# and behind the router, on its own link (198.18.1.0/24, 2001:db8:1::/64):
#   cl       198.18.1.2     2001:db8:1::2   the client
# Only 198.18.0.0/15 and 2001:db8::/32, only inside these namespaces.

FLEET_RT4=198.18.0.254
FLEET_RT6=2001:db8::fe
FLEET_CL4=198.18.1.2
FLEET_CL6=2001:db8:1::2
FLEET_RT_ASN=65000
FLEET_LB_ASN=65001
fleet_lb4() { echo "198.18.0.$1"; }
fleet_lb6() { echo "2001:db8::$1"; }

# fleet_up N_LB N_BACKENDS
fleet_up() {
  local nlb=$1 nb=$2 i ns
  mkdir -p "$TOPO_DIR"
  ip netns add "$(topo_ns sw)"
  ip -n "$(topo_ns sw)" link add br0 type bridge
  ip -n "$(topo_ns sw)" link set br0 up
  ip -n "$(topo_ns sw)" link set lo up

  _topo_host rt $FLEET_RT4 $FLEET_RT6
  ns=$(topo_ns rt)
  # L4 hashing (policy 1): each TCP/UDP flow picks its own ECMP path.
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
    net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  ip netns add "$(topo_ns cl)"
  ip -n "$(topo_ns cl)" link set lo up
  ip link add eth1 netns "$ns" type veth peer name eth0 netns "$(topo_ns cl)"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth1.accept_dad=0
  ip netns exec "$(topo_ns cl)" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
    net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0
  ip -n "$ns" addr add 198.18.1.1/24 dev eth1
  ip -n "$ns" addr add 2001:db8:1::1/64 dev eth1 nodad
  ip -n "$ns" link set eth1 up
  ip -n "$(topo_ns cl)" addr add $FLEET_CL4/24 dev eth0
  ip -n "$(topo_ns cl)" addr add $FLEET_CL6/64 dev eth0 nodad
  ip -n "$(topo_ns cl)" link set eth0 up
  ip -n "$(topo_ns cl)" route add default via 198.18.1.1
  ip -n "$(topo_ns cl)" -6 route add default via 2001:db8:1::1
  # Checksums in software: the packets cross XDP (TESTBED.md).
  ip netns exec "$(topo_ns cl)" ethtool -K eth0 tx off >/dev/null 2>&1 || true
  ip netns exec "$ns" ethtool -K eth1 tx off >/dev/null 2>&1 || true

  for ((i = 1; i <= nlb; i++)); do
    _topo_host "lb$i" "$(fleet_lb4 "$i")" "$(fleet_lb6 "$i")"
    topo_exec "lb$i" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
  done
  for ((i = 1; i <= nb; i++)); do
    _topo_host "b$i" "$(topo_backend4 "$i")" "$(topo_backend6 "$i")"
    ns=$(topo_ns "b$i")
    ip -n "$ns" addr add $TOPO_VIP4/32 dev lo
    ip -n "$ns" addr add $TOPO_VIP6/128 dev lo nodad
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
      net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2 \
      net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    # Direct server return: answers go straight to the client, via the router.
    ip -n "$ns" route add default via $FLEET_RT4
    ip -n "$ns" -6 route add default via $FLEET_RT6
  done
}

# fleet_start_router N_LB: BIRD in rt, one IPv4 and one IPv6 session per LB,
# every equal path merged into one kernel ECMP route.
fleet_start_router() {
  local nlb=$1 i conf="$TOPO_DIR/rt-bird.conf"
  {
    echo "router id $FLEET_RT4;"
    echo "log \"$TOPO_DIR/rt-bird.log\" all;"
    echo "timeformat protocol iso long;"
    echo "protocol device { scan time 1; }"
    echo "protocol kernel { ipv4 { import none; export all; }; merge paths on; }"
    echo "protocol kernel { ipv6 { import none; export all; }; merge paths on; }"
    for ((i = 1; i <= nlb; i++)); do
      echo "protocol bgp lb${i}_4 { local as $FLEET_RT_ASN; neighbor $(fleet_lb4 "$i") as $FLEET_LB_ASN;"
      echo "  hold time 3; keepalive time 1; ipv4 { import all; export none; }; }"
      echo "protocol bgp lb${i}_6 { local as $FLEET_RT_ASN; neighbor $(fleet_lb6 "$i") as $FLEET_LB_ASN;"
      echo "  hold time 3; keepalive time 1; ipv6 { import all; export none; }; }"
    done
  } >"$conf"
  topo_exec rt bird -c "$conf" -s "$TOPO_DIR/rt-bird.ctl" -P "$TOPO_DIR/rt-bird.pid"
}

fleet_birdc() { topo_exec rt birdc -s "$TOPO_DIR/rt-bird.ctl" "$@"; }

# fleet_write_config K MODE FILE N_BACKENDS: topology.sh's config for lbK,
# plus the bgp section (its own BIRD, both families, fast timers for tests).
fleet_write_config() {
  local k=$1 mode=$2 file=$3 nb=$4 dir="$TOPO_DIR/lb$1"
  mkdir -p "$dir"
  TOPO_LB4=$(fleet_lb4 "$k") TOPO_LB6=$(fleet_lb6 "$k") TOPO_DIR=$dir \
    topo_write_config "$mode" "$file" "$nb"
  /usr/bin/python3 - "$file" <<PY
import json, sys
path = sys.argv[1]
c = json.load(open(path))
c["bgp"] = {
    "local_asn": $FLEET_LB_ASN, "router_id": "$(fleet_lb4 "$k")",
    "peers": [{"address": "$FLEET_RT4", "asn": $FLEET_RT_ASN},
              {"address": "$FLEET_RT6", "asn": $FLEET_RT_ASN}],
    "communities": ["$FLEET_LB_ASN:100"], "med": 10,
    "hold_time_s": 3, "keepalive_s": 1,
    "withdraw_delay_ms": ${FLEET_WITHDRAW_DELAY_MS:-1500},
    "bird": {"config": "$dir/bird.conf", "socket": "$dir/bird.ctl"},
}
json.dump(c, open(path, "w"), indent=2)
PY
}

# fleet_start_lb K CONFIG BUILD_DIR: XDP + maglbd in lbK (maglbd starts BIRD).
fleet_start_lb() {
  local k=$1 cfg=$2 b=$3 dir="$TOPO_DIR/lb$1"
  ip -n "$(topo_ns sw)" link set dev "p-lb$k" xdpdrv obj "$b/bpf/xdp_pass.bpf.o" sec xdp
  topo_exec "lb$k" sysctl -qw net.ipv4.conf.eth0.forwarding=1 net.ipv6.conf.eth0.forwarding=1
  fleet_start_daemon "$k" "$cfg" "$b"
}

# fleet_start_daemon K CONFIG BUILD_DIR: maglbd alone (a restart).
fleet_start_daemon() {
  local k=$1 cfg=$2 b=$3 dir="$TOPO_DIR/lb$1"
  # nsenter directly (not through a function), so that $! is maglbd itself
  # (nsenter execs it) and a signal to that pid reaches the daemon.
  local caps
  caps=$(maglbd_caps) || return 1
  # setpriv execs maglbd inside its unit's capability bounding set (lb.sh).
  nsenter --net="/var/run/netns/$(topo_ns "lb$k")" setpriv --bounding-set "$caps" \
    "$b/controlplane/daemon/maglbd" --config "$cfg" \
    >>"$dir/maglbd.log" 2>&1 &
  echo $! >"$dir/maglbd.pid"
  wait_for 30 "maglbd in lb$k" fleet_ctl "$k" "$b" status
}

# fleet_ctl K BUILD_DIR ARGS...: maglbctl against lbK's daemon.
fleet_ctl() {
  local k=$1 b=$2; shift 2
  topo_exec "lb$k" "$b/controlplane/cli/maglbctl" "$@" --socket "$TOPO_DIR/lb$k/maglbd.sock"
}

# fleet_paths PREFIX: how many next hops the router's kernel route to PREFIX has (0 = none).
fleet_paths() {
  local fam=-4
  [[ $1 == *:* ]] && fam=-6
  topo_exec rt ip "$fam" route show "$1" | awk '
    /nexthop via/ {n++; next} / via / {single = 1} END {print n ? n : (single ? 1 : 0)}'
}
