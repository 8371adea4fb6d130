#!/usr/bin/env bash
# README's first command as a newcomer runs it (minus its build step: the
# suite's build is used). It must serve every request, hear from every
# backend and exit 0; demo.sh itself fails when any request fails.
set -uo pipefail
: "${MODE:=xdp}" "${BUILD:?BUILD must name the build directory}"
if [[ $EUID -ne 0 ]]; then
  echo "SKIP: the demo needs root (namespaces, XDP, DPDK)"
  exit 77
fi
out=$(MAGLB_SKIP_BUILD=1 MAGLB_BUILD_DIR=$BUILD timeout 240 \
  "$(dirname "$0")/../../scripts/demo.sh" --mode "$MODE" --requests 150 2>&1)
rc=$?
echo "$out"
if ((rc != 0)); then
  echo "FAIL - scripts/demo.sh --mode $MODE exited $rc"
  exit 1
fi
if ! grep -q '^demo: OK (150 of 150 requests served' <<<"$out"; then
  echo "FAIL - the demo did not report every request served"
  exit 1
fi
# The weighted backend (b3, weight 200 of 400) must carry the largest share.
read -r n1 n2 n3 < <(awk '$1 ~ /^b[123]$/ && NF >= 4 {printf "%s ", $2}' <<<"$out")
if ! ((n3 > n1 && n3 > n2)); then
  echo "FAIL - answers b1=$n1 b2=$n2 b3=$n3: b3 (weight 200) should lead"
  exit 1
fi
echo "ok - demo ($MODE): 150 requests served, b1=$n1 b2=$n2 b3=$n3"
