# shellcheck shell=bash
# Shared set-up and assertions of the end-to-end tests. A test script sources
# this with MODE (xdp|dpdk) and BUILD set, calls e2e_setup, runs its checks
# with `check`/`check_eq`, and ends with e2e_finish (exit status = failures).
set -uo pipefail
E2E_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROOT=$E2E_SRC
: "${MODE:=xdp}"
: "${BUILD:=$E2E_SRC/build}"
# Short unique prefix: several tests may run one after another, never share.
export TOPO="e$$" TOPO_DIR="/tmp/maglb-e2e-$$"
source "$E2E_SRC/scripts/lib/topology.sh"
source "$E2E_SRC/scripts/lib/lb.sh"
E2E_FAILS=0
E2E_CHECKS=0

if [[ $EUID -ne 0 ]]; then
  echo "SKIP: end-to-end tests need root (namespaces, XDP, DPDK)"
  exit 77
fi

log() { echo "[$(date +%T)] $*"; }
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  E2E_CHECKS=$((E2E_CHECKS + 1))
  if "$@"; then log "ok   - $what"; else log "FAIL - $what"; E2E_FAILS=$((E2E_FAILS + 1)); fi
}
check_eq() { check "$1 (got '$2', want '$3')" test "$2" == "$3"; }

# e2e_setup N_BACKENDS_STARTED N_IN_CONFIG [WEIGHTS...]
e2e_setup() {
  local started=$1 configured=$2; shift 2
  trap e2e_cleanup EXIT
  trap "exit 1" INT TERM
  topo_up "$started"
  for ((i = 1; i <= started; i++)); do topo_start_backend "$i" "$BUILD/controlplane/decap/maglb-decap"; done
  topo_write_config "$MODE" "$TOPO_DIR/maglb.json" "$configured" "$@"
  lb_start "$MODE" "$TOPO_DIR/maglb.json" "$BUILD" || { log "FAIL - load balancer did not start"; e2e_dump_logs; exit 1; }
  lb_wait_all_up 30 "$BUILD" "$configured" || { log "FAIL - backends never came up"; e2e_dump_logs; exit 1; }
}

e2e_dump_logs() {
  for f in "$TOPO_DIR"/maglbd.log "$TOPO_DIR"/dataplane.log; do
    [[ -f $f ]] && { echo "--- $f (last 30 lines)"; tail -30 "$f"; }
  done
}

e2e_cleanup() {
  ((E2E_FAILS)) && e2e_dump_logs
  topo_down
}

e2e_finish() {
  log "$((E2E_CHECKS - E2E_FAILS)) of $E2E_CHECKS checks passed"
  exit $((E2E_FAILS > 0))
}

# http_get ADDR: body of http://ADDR/ from the client (a fresh connection), or FAILED.
http_get() { topo_exec cl curl -s -m 3 "http://$1/" || echo FAILED; }

# spread N ADDR: N requests over new connections, 8 at a time; prints "name count" lines.
spread() {
  local n=$1 addr=$2
  seq "$n" | xargs -P 8 -I{} ip netns exec "$(topo_ns cl)" curl -s -m 3 "http://$addr/" \
    -w '\n' 2>/dev/null | sed '/^$/d' | sort | uniq -c | awk '{print $2, $1}'
}

# dp_counter NAME: a dataplane counter summed over cores (from maglbctl stats --json).
dp_counter() {
  lb_ctl "$BUILD" stats --json | /usr/bin/python3 -c '
import json, sys
name = sys.argv[1]
d = json.load(sys.stdin)
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == name and isinstance(v, int):
                yield v
            else:
                yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)
vals = list(walk(d))
print(max(vals) if vals else -1)' "$1"
}
