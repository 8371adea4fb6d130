# shellcheck shell=bash
# A load-balancing testbed in network namespaces, shared by scripts/demo.sh and
# the end-to-end tests. One L2 segment (a bridge in its own namespace) joins:
#   client   198.18.0.2/24    2001:db8::2/64   routes the VIPs via the LB
#   lb       198.18.0.1/24    2001:db8::1/64   the load balancer (XDP or DPDK on eth0)
#   b1..bN   198.18.0.1N/24   2001:db8::1N/64  backends: VIPs on lo, maglb-decap on eth0,
#                                              nginx (HTTP) and a UDP responder answering
#                                              straight to the client (DSR)
# Only 198.18.0.0/15 and 2001:db8::/32 are used, only inside these namespaces.
# Source it, set TOPO (a short unique prefix, <= 6 chars) and call topo_up / topo_down.

: "${TOPO:=mlb}"
: "${TOPO_DIR:=/tmp/maglb-$TOPO}"
TOPO_VIP4=198.18.0.100
TOPO_VIP6=2001:db8:100::100
TOPO_LB4=198.18.0.1
TOPO_LB6=2001:db8::1
TOPO_CLIENT4=198.18.0.2
TOPO_CLIENT6=2001:db8::2

topo_ns() { echo "${TOPO}-$1"; }                  # namespace name of a host
topo_exec() { local h=$1; shift; ip netns exec "$(topo_ns "$h")" "$@"; }
# Like topo_exec but keeps the host's /sys (so /sys/fs/bpf pins outlive the
# process): `ip netns exec` remounts /sys privately and pins vanish with it.
topo_nsenter() { local h=$1; shift; nsenter --net="/var/run/netns/$(topo_ns "$h")" "$@"; }
topo_backend4() { echo "198.18.0.$((10 + $1))"; }
topo_backend6() { echo "2001:db8::$((10 + $1))"; }

# wait_for TIMEOUT_S DESCRIPTION COMMAND...: poll a condition, bounded in time.
wait_for() {
  local timeout=$1 what=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "timed out after ${timeout}s waiting for: $what" >&2
      return 1
    fi
    sleep 0.1
  done
}

# _topo_host NAME ADDR4 ADDR6: a namespace with eth0 plugged into the bridge.
_topo_host() {
  local h=$1 a4=$2 a6=$3 ns port
  ns=$(topo_ns "$h")
  port="p-$h"
  ip netns add "$ns"
  # maglbd pins its XDP maps under netns-<inode>: a fresh namespace owns none,
  # but a testbed killed before topo_down leaves pins that a namespace reusing
  # the inode would pick up (possibly of an older map layout). Remove them.
  rm -rf "/sys/fs/bpf/maglb/netns-$(stat -L -c %i "/var/run/netns/$ns")"
  ip -n "$ns" link set lo up
  ip link add eth0 netns "$ns" type veth peer name "$port" netns "$(topo_ns sw)"
  ip -n "$(topo_ns sw)" link set "$port" master br0 up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv6.conf.eth0.accept_dad=0
  ip -n "$ns" addr add "$a4/24" dev eth0
  ip -n "$ns" addr add "$a6/64" dev eth0 nodad
  ip -n "$ns" link set eth0 up
  # Senders on veth leave TCP checksums to an offload that never happens once
  # the packet crosses XDP/DPDK (TESTBED.md): compute them in software.
  ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null 2>&1 || true
}

# topo_up N_BACKENDS: build the whole testbed (no load balancer started).
topo_up() {
  local n=${1:-3} i ns
  mkdir -p "$TOPO_DIR"
  ip netns add "$(topo_ns sw)"
  ip -n "$(topo_ns sw)" link add br0 type bridge
  ip -n "$(topo_ns sw)" link set br0 up
  ip -n "$(topo_ns sw)" link set lo up

  _topo_host cl $TOPO_CLIENT4 $TOPO_CLIENT6
  ip -n "$(topo_ns cl)" route add $TOPO_VIP4/32 via $TOPO_LB4
  ip -n "$(topo_ns cl)" -6 route add $TOPO_VIP6/128 via $TOPO_LB6

  _topo_host lb $TOPO_LB4 $TOPO_LB6
  # The LB forwards nothing through its kernel (AF_PACKET copies frames: a
  # forwarding kernel would send a second copy).
  topo_exec lb sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0

  for ((i = 1; i <= n; i++)); do
    _topo_host "b$i" "$(topo_backend4 "$i")" "$(topo_backend6 "$i")"
    ns=$(topo_ns "b$i")
    ip -n "$ns" addr add $TOPO_VIP4/32 dev lo
    ip -n "$ns" addr add $TOPO_VIP6/128 dev lo nodad
    # The VIP lives on lo: never answer ARP/ND for it on the segment.
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
      net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2 \
      net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  done
}

# topo_attach_peer_xdp BPF_PASS_OBJECT: XDP_PASS on the LB's bridge port.
topo_attach_peer_xdp() {
  ip -n "$(topo_ns sw)" link set dev p-lb xdpdrv obj "$1" sec xdp
}

# topo_start_backend I DECAP_BIN [GUE_PORT]: decap program, nginx, UDP responder.
topo_start_backend() {
  local i=$1 decap=$2 gue=${3:-6080} dir="$TOPO_DIR/b$1" ns
  ns=$(topo_ns "b$i")
  mkdir -p "$dir/www" "$dir/tmp"
  echo "b$i" >"$dir/www/index.html"
  head -c 1048576 /dev/zero | tr '\0' 'x' >"$dir/www/big"
  cat >"$dir/nginx.conf" <<NGINX
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  keepalive_timeout 300s; keepalive_requests 100000;
  server {
    listen 80 reuseport; listen [::]:80 reuseport;
    root $dir/www;
    location = /health { return 200 "ok\n"; }
    location = /slow { limit_rate 2k; }
  }
}
NGINX
  ip netns exec "$ns" "$decap" attach eth0 --gue-port "$gue" >/dev/null
  ip netns exec "$ns" nginx -c "$dir/nginx.conf" -g 'daemon on;'
  # UDP request/response service bound to the VIP, so replies leave from it.
  ip netns exec "$ns" /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/udp_responder.py" \
    $TOPO_VIP4 5353 "b$i" >/dev/null 2>&1 &
  echo $! >"$dir/udp.pid"
  wait_for 10 "nginx in b$i" ip netns exec "$ns" curl -sf -o /dev/null "http://$(topo_backend4 "$i")/health"
}

topo_stop_backend_http() {
  local dir="$TOPO_DIR/b$1"
  [[ -f $dir/nginx.pid ]] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null
  wait_for 10 "nginx in b$1 to stop" bash -c "! ip netns exec $(topo_ns "b$1") curl -sf -o /dev/null -m 1 http://$(topo_backend4 "$1")/health"
}

topo_restart_backend_http() {
  local dir="$TOPO_DIR/b$1"
  ip netns exec "$(topo_ns "b$1")" nginx -c "$dir/nginx.conf" -g 'daemon on;'
}

# topo_down: kill everything in the namespaces and remove them.
topo_down() {
  local ns pids ino
  # maglbd pins the XDP maps per network namespace (keyed by its inode):
  # remove this testbed's pins with it.
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${TOPO}-"); do
    ino=$(stat -L -c %i "/var/run/netns/$ns" 2>/dev/null) && rm -rf "/sys/fs/bpf/maglb/netns-$ino"
  done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${TOPO}-"); do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [[ -n $pids ]] && kill $pids 2>/dev/null
  done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${TOPO}-"); do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [[ -n $pids ]] && kill -9 $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$TOPO_DIR"
}

# topo_write_config MODE FILE [N_BACKENDS] [WEIGHTS...]: the testbed's config.
# VIPs: TCP 80 (IPv4 and IPv6, ipip, HTTP checks) and UDP 5353 (IPv4, gue).
topo_write_config() {
  local mode=$1 file=$2 n=${3:-3}; shift 3 || shift $#
  local weights=("$@") i w b4 b6 b4u
  local hc="\"healthcheck\": {\"type\": \"http\", \"path\": \"/health\", \"interval_ms\": 500, \"timeout_ms\": 300, \"rise\": 2, \"fall\": 2, \"slow_start_s\": ${TOPO_SLOW_START:-0}}"
  local dpdk_extra=""
  [[ $mode == dpdk ]] && dpdk_extra=", \"dpdk\": {\"socket\": \"$TOPO_DIR/dataplane.sock\"}"
  for ((i = 1; i <= n; i++)); do
    w=${weights[$((i - 1))]:-100}
    b4+="${b4:+, }{\"address\": \"$(topo_backend4 "$i")\", \"weight\": $w, \"name\": \"b$i\"}"
    b6+="${b6:+, }{\"address\": \"$(topo_backend6 "$i")\", \"weight\": $w, \"name\": \"b$i\"}"
    b4u+="${b4u:+, }{\"address\": \"$(topo_backend4 "$i")\", \"weight\": $w, \"name\": \"b$i\"}"
  done
  cat >"$file" <<JSON
{
  "dataplane": {
    "mode": "$mode", "interfaces": ["eth0"]$dpdk_extra,
    "address_v4": "$TOPO_LB4/24", "address_v6": "$TOPO_LB6/64",
    "encap_source_v4": "$TOPO_LB4", "encap_source_v6": "$TOPO_LB6",
    "mtu": 1500, "gue_port": 6080,
    "flow_table": {"entries_per_core": ${TOPO_FLOWS:-65536}, "tcp_idle_timeout_s": 300, "udp_idle_timeout_s": 30}
  },
  "control": {"socket": "$TOPO_DIR/maglbd.sock"},
  "vips": [
    {"address": "$TOPO_VIP4", "port": 80, "protocol": "tcp", "method": "ipip", $hc, "backends": [$b4]},
    {"address": "$TOPO_VIP6", "port": 80, "protocol": "tcp", "method": "ipip", $hc, "backends": [$b6]},
    {"address": "$TOPO_VIP4", "port": 5353, "protocol": "udp", "method": "gue", "healthcheck": {"type": "none"}, "backends": [$b4u]}
  ]
}
JSON
}
