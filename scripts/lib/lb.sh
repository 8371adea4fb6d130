# shellcheck shell=bash
# Start and drive the load balancer inside the testbed of topology.sh (sourced
# after it): the DPDK dataplane or XDP, plus the control-plane daemon.

# lb_start MODE CONFIG BUILD_DIR: start the dataplane (DPDK) and maglbd in the lb namespace.
lb_start() {
  local mode=$1 cfg=$2 b=$3
  if [[ $mode == xdp ]]; then
    # XDP_TX out of a veth needs an XDP program on its peer (TESTBED.md).
    ip -n "$(topo_ns sw)" link set dev p-lb xdpdrv obj "$b/bpf/xdp_pass.bpf.o" sec xdp
    # bpf_fib_lookup answers only for interfaces with forwarding on.
    topo_exec lb sysctl -qw net.ipv4.conf.eth0.forwarding=1 net.ipv6.conf.eth0.forwarding=1
  else
    # net_af_packet copies frames and leaves the kernel's own copy: the LB
    # namespace keeps kernel forwarding off (topology.sh) so nothing is sent
    # twice, and blackholes the VIPs, or its IPv6 stack would answer every
    # client packet with "destination unreachable" and abort the connection.
    # (A real NIC under DPDK hides VIP traffic from the kernel entirely.)
    topo_exec lb ip route add blackhole $TOPO_VIP4/32
    topo_exec lb ip -6 route add blackhole $TOPO_VIP6/128
    lb_start_dataplane "$b" || return 1
  fi
  lb_start_daemon "$cfg" "$b"
}

# lb_start_dataplane BUILD_DIR: the DPDK dataplane in the lb namespace (also
# used to bring it back after a fault test killed it).
lb_start_dataplane() {
  local b=$1
  local huge=(--no-huge -m 1024 --no-shconf)
  if (($(cat /proc/sys/vm/nr_hugepages) >= 256)) && mountpoint -q /dev/hugepages; then
    huge=(-m 512 --file-prefix "$TOPO" --huge-unlink)
  fi
  rm -f "$TOPO_DIR/dataplane.sock"
  # Not through topo_exec: a backgrounded shell function runs in a subshell,
  # and $! would be that subshell, not the dataplane (kill -9 in the fault
  # test must hit the process itself). `ip netns exec` execs the command.
  ip netns exec "$(topo_ns lb)" "$b/dataplane/dpdk/maglb-dataplane" -l 0-1 --no-pci "${huge[@]}" \
    --vdev="net_af_packet0,iface=eth0,qpairs=1" --log-level=lib.*:error -- \
    --port 0 --control-socket "$TOPO_DIR/dataplane.sock" --flows-per-core "${TOPO_FLOWS:-65536}" \
    >>"$TOPO_DIR/dataplane.log" 2>&1 &
  echo $! >"$TOPO_DIR/dataplane.pid"
  wait_for 60 "the DPDK dataplane's control socket" test -S "$TOPO_DIR/dataplane.sock"
}

# maglbd_caps: the capability bounding set of maglbd's systemd unit
# (scripts/systemd/maglbd.service.in), in setpriv's syntax. The demo and
# every end-to-end test run maglbd, and the BIRD it starts, inside exactly
# that set, so a capability the unit lacks fails a test (docs/daemon.md
# section 9) instead of an operator's first start.
maglbd_caps() {
  local unit line
  unit="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/systemd/maglbd.service.in"
  line=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
  [[ -n $line ]] || { echo "maglbd_caps: no CapabilityBoundingSet in $unit" >&2; return 1; }
  local caps=-all c
  for c in $line; do caps+=",+$(echo "${c#CAP_}" | tr 'A-Z' 'a-z')"; done
  echo "$caps"
}

# lb_start_daemon CONFIG BUILD_DIR: maglbd in the lb namespace. nsenter, not
# `ip netns exec`, so XDP maps pinned under /sys/fs/bpf survive a restart.
lb_start_daemon() {
  local cfg=$1 b=$2
  # nsenter itself, not the topo_nsenter function: a function run with `&`
  # is a subshell, and its pid (what lb_stop_daemon kills) would not be
  # maglbd's. nsenter execs maglbd, so $! is maglbd.
  local caps
  caps=$(maglbd_caps) || return 1
  # setpriv execs maglbd too, inside the unit's capability bounding set.
  nsenter --net="/var/run/netns/$(topo_ns lb)" setpriv --bounding-set "$caps" \
    "$b/controlplane/daemon/maglbd" --config "$cfg" \
    >>"$TOPO_DIR/maglbd.log" 2>&1 &
  echo $! >"$TOPO_DIR/maglbd.pid"
  wait_for 30 "maglbd's control socket" lb_ctl "$b" status
}

# lb_ctl BUILD_DIR ARGS...: maglbctl against the testbed's daemon.
lb_ctl() {
  local b=$1; shift
  topo_exec lb "$b/controlplane/cli/maglbctl" "$@" --socket "$TOPO_DIR/maglbd.sock"
}

# lb_up_count BUILD_DIR VIP: backends the daemon reports healthy for VIP.
lb_up_count() {
  lb_ctl "$1" vip show "$2" --json | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for b in d.get("backends", []) if b.get("state") == "up"))'
}

# lb_wait_all_up TIMEOUT BUILD_DIR N: every backend of the IPv4 TCP VIP is up.
lb_wait_all_up() {
  local timeout=$1 b=$2 n=$3
  wait_for "$timeout" "$n backends up" bash -c "[[ \$(source $ROOT/scripts/lib/topology.sh; source $ROOT/scripts/lib/lb.sh; TOPO=$TOPO TOPO_DIR=$TOPO_DIR lb_up_count $b $TOPO_VIP4:80/tcp) == $n ]]"
}

lb_stop_daemon() {
  [[ -f $TOPO_DIR/maglbd.pid ]] && kill "$(cat "$TOPO_DIR/maglbd.pid")" 2>/dev/null
  wait_for 10 "maglbd to exit" bash -c "! kill -0 $(cat "$TOPO_DIR/maglbd.pid") 2>/dev/null"
}
