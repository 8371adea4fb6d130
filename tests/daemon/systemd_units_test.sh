#!/usr/bin/env bash
# The systemd units parse (systemd-analyze verify, with the built binaries
# in place of the installed ones) and maglbd's unit keeps the least-privilege
# settings docs/daemon.md (section 9) promises. Skips (77) without systemd-analyze.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
tmp=$(mktemp -d /tmp/maglb-units-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
for unit in maglbd maglb-dataplane; do
  sed -e "s|@SBINDIR@/maglbd|$MAGLBD|; s|@BINDIR@/maglb-dataplane|/bin/true|; s|@SYSCONFDIR@|/etc|g" \
    "$SRC/scripts/systemd/$unit.service.in" >"$tmp/$unit.service"
  if out=$(systemd-analyze verify "$tmp/$unit.service" 2>&1) && [[ -z $out ]]; then
    echo "ok   - $unit.service verifies"
  else
    echo "FAIL - $unit.service: $out"; fails=$((fails + 1))
  fi
done
want=(CapabilityBoundingSet=CAP_BPF\ CAP_NET_ADMIN\ CAP_PERFMON\ CAP_SYS_ADMIN\ CAP_SYS_RESOURCE\ CAP_NET_RAW\ CAP_CHOWN\ CAP_NET_BIND_SERVICE
  NoNewPrivileges=yes ProtectSystem=strict UMask=0077 ProtectKernelModules=yes
  RestrictAddressFamilies=AF_UNIX\ AF_INET\ AF_INET6\ AF_NETLINK)
for line in "${want[@]}"; do
  if grep -qxF "$line" "$tmp/maglbd.service"; then echo "ok   - maglbd.service has $line"
  else echo "FAIL - maglbd.service lacks $line"; fails=$((fails + 1)); fi
done
exit $((fails > 0))
