#!/usr/bin/env bash
# 9. Health checks through the tunnel (healthcheck.through_tunnel): with the
#    decapsulation program removed from b2 its web server still answers
#    direct probes, but the encapsulated SYN to the VIP goes unanswered, so
#    b2 is marked down with through_tunnel on and up again with it off.
#    IPv4 (IPIP) and IPv6 (IP6IP6) VIPs. docs/daemon.md, section 3.
source "$(dirname "$0")/e2e_lib.sh"
e2e_setup 3 3
VIP4=$TOPO_VIP4:80/tcp VIP6="[$TOPO_VIP6]:80/tcp"
up_is() { [[ $(lb_up_count "$BUILD" "$1" 2>/dev/null) == "$2" ]]; }
# set_tunnel true|false: edit both TCP VIPs' checks in the file and reload.
set_tunnel() {
  /usr/bin/python3 - "$TOPO_DIR/maglb.json" "$1" <<'PY'
import json, sys
path, on = sys.argv[1], sys.argv[2] == "true"
doc = json.load(open(path))
for v in doc["vips"]:
    if v["protocol"] == "tcp":
        v["healthcheck"]["through_tunnel"] = on
json.dump(doc, open(path + ".new", "w"), indent=2)
PY
  mv "$TOPO_DIR/maglb.json.new" "$TOPO_DIR/maglb.json"
  lb_ctl "$BUILD" reload >/dev/null
}
reason_of() {  # reason_of VIP NAME
  lb_ctl "$BUILD" vip show "$1" --json | /usr/bin/python3 -c '
import json, sys
print([b.get("reason", "") for b in json.load(sys.stdin)["backends"] if b["name"] == sys.argv[1]][0])' "$2"
}

set_tunnel true
topo_exec b2 "$BUILD/controlplane/decap/maglb-decap" detach eth0 >/dev/null
check "b2 marked down (IPv4 VIP) without decapsulation" wait_for 10 "b2 down" up_is "$VIP4" 2
check "b2 marked down (IPv6 VIP) without decapsulation" wait_for 10 "b2 down" up_is "$VIP6" 2
# b1 and b3 passed the same rounds' tunnel probes (else they would be down).
check "b1 and b3 stay up through the tunnel" up_is "$VIP4" 2
check "b1 and b3 stay up through the tunnel (IPv6)" up_is "$VIP6" 2
why=$(reason_of "$VIP4" b2)
check "the reason names the tunnel (got '$why')" bash -c "[[ '$why' == *tunnel* ]]"
check "b2's web server still answers directly" \
  topo_exec lb curl -sf -o /dev/null -m 2 "http://$(topo_backend4 2)/health"
set_tunnel false
check "b2 up again with through_tunnel off" wait_for 10 "b2 up" up_is "$VIP4" 3
check "b2 up again with through_tunnel off (IPv6)" wait_for 10 "b2 up" up_is "$VIP6" 3
# Tunnel checks on again, then the decapsulation program back: b2 returns,
# and says it passed through the tunnel.
set_tunnel true
check "b2 down again with through_tunnel on" wait_for 10 "b2 down" up_is "$VIP4" 2
topo_exec b2 "$BUILD/controlplane/decap/maglb-decap" attach eth0 --gue-port 6080 >/dev/null
check "b2 up once it decapsulates again" wait_for 10 "b2 up" up_is "$VIP4" 3
check "b2 up once it decapsulates again (IPv6)" wait_for 10 "b2 up" up_is "$VIP6" 3
why=$(reason_of "$VIP4" b2)
check "b2 passed through the tunnel (got '$why')" bash -c "[[ '$why' == *'via the tunnel'* ]]"
e2e_finish
