#!/usr/bin/env bash
# 8. A daemon restart does not resurrect a down backend: b2 is down (and out
#    of the tables) when maglbd stops; the restarted maglbd keeps the
#    dataplane's tables until the first health verdicts, so no new
#    connection made across the restart reaches b2 (each would fail: its
#    HTTP server is stopped). docs/daemon.md, section 3.
source "$(dirname "$0")/e2e_lib.sh"
e2e_setup 3 3
up_is() { [[ $(lb_up_count "$BUILD" $TOPO_VIP4:80/tcp 2>/dev/null) == "$1" ]]; }
topo_stop_backend_http 2
wait_for 10 "b2 to be marked down" up_is 2
lb_stop_daemon
loaders=()
# Load: 4 clients making new connections until told to stop (bounded: 60 s).
for w in 1 2 3 4; do
  ( end=$((SECONDS + 60)); while ((SECONDS < end)) && [[ ! -f $TOPO_DIR/stop ]]; do
      http_get $TOPO_VIP4; echo; done >"$TOPO_DIR/load$w.txt" ) &
  loaders+=($!)
done
wait_for 10 "load to flow" bash -c "cat $TOPO_DIR/load*.txt | grep -q b1"
lb_start_daemon "$TOPO_DIR/maglb.json" "$BUILD"
# Until the restarted daemon has judged b2 down, and one more second.
wait_for 15 "b2 judged down after the restart" up_is 2
before=$(cat "$TOPO_DIR"/load*.txt | grep -c .)
wait_for 10 "more requests after the verdict" bash -c "(( \$(cat $TOPO_DIR/load*.txt | grep -c .) > $before + 20 ))"
touch "$TOPO_DIR/stop"
wait "${loaders[@]}"
out=$(cat "$TOPO_DIR"/load*.txt | sed '/^$/d' | sort | uniq -c | awk '{print $2, $1}')
log "answers across the restart: $(echo "$out" | tr '\n' ' ')"
total=$(echo "$out" | awk '{s += $2} END {print s + 0}')
check "enough requests crossed the restart ($total >= 40)" test "$total" -ge 40
failed=$(echo "$out" | awk '$1 == "FAILED" {print $2}')
check_eq "requests that failed (sent to the down b2)" "${failed:-0}" 0
check "the restarted daemon waited for verdicts" \
  grep -q "keeping it until the first health verdicts" "$TOPO_DIR/maglbd.log"
e2e_finish
