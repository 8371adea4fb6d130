#!/usr/bin/env bash
# Prepare a fresh Debian bookworm host (root) to build, test and run maglb.
# Idempotent: installs only missing packages, configures hugepages when the
# kernel allows (else says that DPDK runs fall back to --no-huge), mounts
# bpffs. Safe to run again at any time.
set -euo pipefail

PACKAGES=(
  # build
  meson ninja-build pkg-config g++ clang clang-14 llvm clang-format
  # fuzzing (libFuzzer runtime) and the sanitizer build (docs/robustness.md)
  libclang-rt-14-dev
  # dataplane + XDP
  dpdk dpdk-dev libdpdk-dev libbpf-dev bpftool libelf-dev zlib1g-dev libpcap-dev libnuma-dev
  linux-libc-dev gcc-multilib
  # control plane
  libboost-program-options-dev nlohmann-json3-dev libxxhash-dev
  # BGP announcements of a fleet (docs/scale-out.md): maglbd drives BIRD 2
  bird2
  # tests
  libgtest-dev googletest python3-scapy python3-xxhash iproute2 ethtool curl socat tcpdump
  gnuplot-nox bc
  nginx-light iputils-ping procps
)

if [[ $EUID -ne 0 ]]; then
  echo "setup.sh: must run as root (installs packages, configures hugepages and bpffs)" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # nginx-light starts a default server on port 80 of the host: the demo and
  # tests run their own nginx inside namespaces, so keep the host's stopped.
  if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
  # bird2 enables a host-wide BIRD with Debian's config: maglbd (or the
  # scale-out test) runs its own instances with their own -c and -s.
  if command -v systemctl >/dev/null && systemctl is-enabled --quiet bird 2>/dev/null; then
    systemctl disable --now bird >/dev/null 2>&1 || true
  fi
else
  echo "setup.sh: all ${#PACKAGES[@]} packages present"
fi

# Hugepages: DPDK is ~5x faster with them (TESTBED.md); tests also run without.
want=${MAGLB_HUGEPAGES:-512}
have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
if ((have < want)); then
  echo "$want" >/proc/sys/vm/nr_hugepages 2>/dev/null || true
  have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
fi
if ! mountpoint -q /dev/hugepages 2>/dev/null; then
  mkdir -p /dev/hugepages
  mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
fi
if ((have > 0)) && mountpoint -q /dev/hugepages; then
  echo "setup.sh: hugepages: $have x $(awk '/Hugepagesize/{print $2 $3}' /proc/meminfo) on /dev/hugepages"
else
  echo "setup.sh: NO hugepages available: DPDK tests and the demo fall back to --no-huge -m 1024 --no-shconf (slower; benchmarks need hugepages)"
fi

# bpffs for pinned XDP maps.
if ! mountpoint -q /sys/fs/bpf 2>/dev/null; then
  mount -t bpf bpf /sys/fs/bpf 2>/dev/null && echo "setup.sh: mounted bpffs on /sys/fs/bpf" ||
    echo "setup.sh: could not mount bpffs on /sys/fs/bpf (XDP pinning will fail)"
fi
exit 0
