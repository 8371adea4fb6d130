#!/usr/bin/env bash
# 1. Many connections from many source ports reach every backend, in
#    proportion to the weights, within a bound derived from the sample size.
source "$(dirname "$0")/e2e_lib.sh"
WEIGHTS=(100 100 200)
e2e_setup 3 3 "${WEIGHTS[@]}"
N=600
out=$(spread $N $TOPO_VIP4)
log "answers: $(echo "$out" | tr '\n' ' ')"
total_w=400
for i in 1 2 3; do
  got=$(echo "$out" | awk -v b="b$i" '$1 == b {print $2}')
  got=${got:-0}
  w=${WEIGHTS[$((i - 1))]}
  # Binomial spread of N independent flows: 4 standard deviations (a false
  # alarm about once in 16,000 runs) plus Maglev's table imbalance (< 0.1%).
  read -r lo hi < <(/usr/bin/python3 -c "
import math
n, p = $N, $w / $total_w
sd = math.sqrt(n * p * (1 - p))
print(int(n * p - 4 * sd - n * 0.001), int(math.ceil(n * p + 4 * sd + n * 0.001)))")
  check "b$i (weight $w) answered $got of $N: within [$lo, $hi]" test "$got" -ge "$lo" -a "$got" -le "$hi"
done
failed=$(echo "$out" | awk '$1 == "FAILED" {print $2}')
check_eq "failed requests" "${failed:-0}" 0
e2e_finish
