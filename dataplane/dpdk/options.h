// Command line of maglb-dataplane after the EAL arguments (everything after
// `--`). Parsing is pure: no DPDK, no side effects, errors as text for main.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace maglb::dpdk {

struct DataplaneOptions {
  std::string port = "0";  // port id, or devargs of a device to probe (net_pcap0,rx_pcap=...)
  uint16_t queues = 1;     // RX/TX queue pairs = worker lcores
  std::string control_socket = "/run/maglb/dataplane.sock";
  // IPv4 flow slots per worker: 64 MiB, keeps 98% of 1M flows (docs/flow-table.md).
  uint32_t flows_per_core = 1u << 21;
  std::string exception_tap;      // net_tap interface name for PASS traffic ("" = none)
  std::string exception_port;     // or any other port (id or devargs), e.g. net_pcap for tests
  uint32_t stats_interval_s = 0;  // print counters to stdout every N s (0 = never)
  bool wait_for_table = false;    // workers receive nothing before the first snapshot
  uint32_t mbufs = 0;             // mbuf pool size (0 = computed from queues and rings)
  uint16_t rx_desc = 1024;
  uint16_t tx_desc = 1024;
  uint16_t mtu = 0;  // port MTU to set (0 = leave the PMD's)
  bool promiscuous = true;
};

struct ParsedOptions {
  enum class Outcome { Run, Help, Error } outcome = Outcome::Error;
  DataplaneOptions options;
  std::string text;  // usage (Help) or the error (Error)
};

// argv[0] is the program name (as rte_eal_init leaves it).
ParsedOptions parse_options(int argc, char **argv);

}  // namespace maglb::dpdk
