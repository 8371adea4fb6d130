// Port bring-up for the DPDK engine: finding or creating the device,
// configuring RSS over the workers' queues (falling back to one queue when
// the PMD cannot spread), the exception TAP, and the mbuf pool. Start-up and
// shutdown only; every function reports failure with a message.
#pragma once

#include <cstdint>
#include <string>

#include <rte_mempool.h>

#include "net_types.h"

namespace maglb::dpdk {

struct PortPlan {
  uint16_t rx_queues = 1;  // wanted; start_port may lower it (no RSS)
  uint16_t tx_queues = 1;  // 0: as many as RX queues set up
  uint16_t rx_desc = 1024;
  uint16_t tx_desc = 1024;
  uint16_t mtu = 0;  // 0: keep the PMD's
  bool promiscuous = true;
};

struct PortStarted {
  uint16_t rx_queues = 0;  // queues actually set up
  uint16_t tx_queues = 0;
  bool rss = false;
  MacAddr mac{};
  std::string note;  // what was adjusted and why (logged by the caller)
};

// "3" is a port id; anything else is devargs ("net_pcap0,rx_pcap=in.pcap"):
// the port named by the part before the first ',' is used if it exists
// (created with --vdev), else the device is probed now.
bool find_or_probe_port(const std::string &spec, uint16_t *port_id, std::string *error);

// Creates the exception TAP: a kernel interface `iface` carrying `mac`
// (the port's, so the host stack's frames leave with the port's address).
bool create_exception_tap(const std::string &iface, const MacAddr &mac, uint16_t *port_id,
                          std::string *error);

// Configures and starts the port. RX queues beyond 1 use RSS over IP/TCP/UDP
// when the PMD offers it; otherwise one queue, said in `started->note`.
bool start_port(uint16_t port_id, const PortPlan &plan, rte_mempool *pool, PortStarted *started,
                std::string *error);

void stop_port(uint16_t port_id);

// One pool for every queue and ring: `n` mbufs whose data room holds a
// frame of `mtu` plus the default headroom that encapsulation grows into.
rte_mempool *create_mbuf_pool(uint32_t n, uint16_t mtu, std::string *error);

}  // namespace maglb::dpdk
