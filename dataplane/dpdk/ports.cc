#include "ports.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

namespace maglb::dpdk {

namespace {

std::string rte_err(int rc) {
  return rte_strerror(rc < 0 ? -rc : rc);
}

std::string port_name(uint16_t port_id) {
  char name[RTE_ETH_NAME_MAX_LEN] = {};
  if (rte_eth_dev_get_name_by_port(port_id, name) != 0) return "port " + std::to_string(port_id);
  return name;
}

}  // namespace

bool find_or_probe_port(const std::string &spec, uint16_t *port_id, std::string *error) {
  unsigned id = 0;
  auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), id);
  if (ec == std::errc() && end == spec.data() + spec.size()) {
    if (id >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(static_cast<uint16_t>(id))) {
      *error = "port " + spec + " does not exist (" + std::to_string(rte_eth_dev_count_avail()) +
               " ports available; add --vdev=... to the EAL arguments or pass devargs)";
      return false;
    }
    *port_id = static_cast<uint16_t>(id);
    return true;
  }
  std::string name = spec.substr(0, spec.find(','));
  if (rte_eth_dev_get_port_by_name(name.c_str(), port_id) == 0) return true;
  int rc = rte_dev_probe(spec.c_str());
  if (rc != 0) {
    *error = "cannot create device '" + spec + "': " + rte_err(rc);
    return false;
  }
  if (rte_eth_dev_get_port_by_name(name.c_str(), port_id) != 0) {
    *error = "device '" + spec + "' was created but has no port named '" + name + "'";
    return false;
  }
  return true;
}

bool create_exception_tap(const std::string &iface, const MacAddr &mac, uint16_t *port_id,
                          std::string *error) {
  static const char *kName = "net_tap_maglb_exc";
  // rte_dev_probe with full devargs (not rte_vdev_init, which lives in a
  // driver library the pkg-config link line does not name).
  std::string args = std::string(kName) + ",iface=" + iface + ",mac=" + format_mac(mac);
  int rc = rte_dev_probe(args.c_str());
  if (rc != 0) {
    *error = "cannot create TAP '" + iface + "' (" + args + "): " + rte_err(rc) +
             " (needs /dev/net/tun and CAP_NET_ADMIN)";
    return false;
  }
  if (rte_eth_dev_get_port_by_name(kName, port_id) != 0) {
    *error = "TAP '" + iface + "' created but its port is missing";
    return false;
  }
  return true;
}

bool start_port(uint16_t port_id, const PortPlan &plan, rte_mempool *pool, PortStarted *started,
                std::string *error) {
  const std::string name = port_name(port_id);
  rte_eth_dev_info info{};
  int rc = rte_eth_dev_info_get(port_id, &info);
  if (rc != 0) {
    *error = name + ": cannot read device info: " + rte_err(rc);
    return false;
  }
  rte_eth_conf conf{};
  uint16_t rxq = plan.rx_queues;
  uint64_t rss_hf =
      info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
  if (rxq > 1 && (rss_hf == 0 || info.max_rx_queues < rxq)) {
    started->note = name + ": " +
                    (rss_hf == 0 ? std::string("no RSS support")
                                 : "only " + std::to_string(info.max_rx_queues) + " RX queues") +
                    ", using 1 RX queue instead of " + std::to_string(rxq);
    rxq = 1;
  }
  if (info.max_rx_queues == 0) {
    rxq = 0;  // a transmit-only device (e.g. net_pcap with only tx_pcap)
  }
  if (rxq > 1) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf = rss_hf;
    started->rss = true;
  }
  uint16_t txq = plan.tx_queues != 0 ? plan.tx_queues : rxq;  // 0: one per RX queue
  if (info.max_tx_queues < txq) {
    *error = name + ": needs " + std::to_string(txq) + " TX queues, the PMD offers " +
             std::to_string(info.max_tx_queues);
    return false;
  }
  rc = rte_eth_dev_configure(port_id, rxq, txq, &conf);
  if (rc != 0) {
    *error = name + ": configure (" + std::to_string(rxq) + " rx, " + std::to_string(txq) +
             " tx queues): " + rte_err(rc);
    return false;
  }
  if (plan.mtu != 0 && (rc = rte_eth_dev_set_mtu(port_id, plan.mtu)) != 0) {
    *error = name + ": cannot set MTU " + std::to_string(plan.mtu) + ": " + rte_err(rc);
    return false;
  }
  uint16_t rx_desc = plan.rx_desc, tx_desc = plan.tx_desc;
  rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rx_desc, &tx_desc);
  if (rc != 0) {
    *error = name + ": descriptor counts: " + rte_err(rc);
    return false;
  }
  int socket = rte_eth_dev_socket_id(port_id);
  if (socket < 0) socket = static_cast<int>(rte_socket_id());
  for (uint16_t q = 0; q < rxq; q++) {
    rc = rte_eth_rx_queue_setup(port_id, q, rx_desc, static_cast<unsigned>(socket), nullptr, pool);
    if (rc != 0) {
      *error = name + ": RX queue " + std::to_string(q) + ": " + rte_err(rc);
      return false;
    }
  }
  for (uint16_t q = 0; q < txq; q++) {
    rc = rte_eth_tx_queue_setup(port_id, q, tx_desc, static_cast<unsigned>(socket), nullptr);
    if (rc != 0) {
      *error = name + ": TX queue " + std::to_string(q) + ": " + rte_err(rc);
      return false;
    }
  }
  rc = rte_eth_dev_start(port_id);
  if (rc != 0) {
    *error = name + ": start: " + rte_err(rc);
    return false;
  }
  // Promiscuous: frames for the kernel's own MACs and L2 setups where the
  // router addresses another MAC. All-multicast: IPv6 neighbour solicitations
  // go to solicited-node groups. PMDs without these (pcap, ring) return
  // -ENOTSUP, which changes nothing for them.
  if (plan.promiscuous) rte_eth_promiscuous_enable(port_id);
  rte_eth_allmulticast_enable(port_id);
  rte_ether_addr mac{};
  rte_eth_macaddr_get(port_id, &mac);
  std::memcpy(started->mac.data(), mac.addr_bytes, 6);
  started->rx_queues = rxq;
  started->tx_queues = txq;
  return true;
}

void stop_port(uint16_t port_id) {
  rte_eth_dev_stop(port_id);
  rte_eth_dev_close(port_id);
}

rte_mempool *create_mbuf_pool(uint32_t n, uint16_t mtu, std::string *error) {
  // Ethernet + VLAN + FCS slack on top of the L3 MTU. Encapsulation prepends
  // into the headroom (RTE_PKTMBUF_HEADROOM, 128 bytes), not the tail.
  uint32_t frame = std::max<uint32_t>(mtu, 1500) + 26;
  uint32_t room = RTE_PKTMBUF_HEADROOM + std::max<uint32_t>(frame, RTE_MBUF_DEFAULT_DATAROOM);
  rte_mempool *pool = rte_pktmbuf_pool_create("maglb_mbufs", n, 256, 0, static_cast<uint16_t>(room),
                                              static_cast<int>(rte_socket_id()));
  if (pool == nullptr) {
    *error = "cannot create a pool of " + std::to_string(n) + " mbufs of " + std::to_string(room) +
             " bytes: " + rte_err(rte_errno) +
             " (hugepages? try --no-huge -m 1024 or fewer --mbufs)";
  }
  return pool;
}

}  // namespace maglb::dpdk
