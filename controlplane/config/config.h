// The config model: what a validated JSON config says, with every default
// filled in. Plain values, compared with ==; nothing here can be invalid
// once parse_config_text() has returned it (docs/config.md lists the rules).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config_address.h"
#include "config_bgp.h"
#include "maglb_abi.h"

namespace maglb::config {

enum class DataplaneMode : uint8_t { kDpdk, kXdp };

// Values are the ABI's, so a model value converts with a static_cast.
enum class Method : uint8_t {
  kIpip = MAGLB_FWD_IPIP,
  kGue = MAGLB_FWD_GUE,
  kL2 = MAGLB_FWD_L2,
};

enum class HashFields : uint8_t {
  k5Tuple = MAGLB_HASH_5TUPLE,
  k3Tuple = MAGLB_HASH_3TUPLE,
  kSrcAddr = MAGLB_HASH_SRC_ADDR,
};

// IANA protocol numbers, as in maglb_vip_key.proto.
enum class Protocol : uint8_t { kTcp = 6, kUdp = 17 };

enum class HealthcheckType : uint8_t { kNone, kTcp, kHttp };

struct FlowTableConfig {
  uint32_t entries_per_core = 1048576;
  uint32_t tcp_idle_timeout_s = 300;
  uint32_t udp_idle_timeout_s = 30;
  friend bool operator==(const FlowTableConfig &, const FlowTableConfig &) = default;
};

struct DpdkConfig {
  std::string socket = "/run/maglb/dataplane.sock";  // the DPDK process's control socket
  friend bool operator==(const DpdkConfig &, const DpdkConfig &) = default;
};

struct DataplaneConfig {
  DataplaneMode mode = DataplaneMode::kXdp;
  std::vector<std::string> interfaces;  // netdevs XDP attaches to
  std::optional<DpdkConfig> dpdk;       // present whenever mode is kDpdk
  uint32_t cores = 1;
  uint32_t queues = 1;
  std::optional<Prefix> address_v4;  // at least one of the two is set
  std::optional<Prefix> address_v6;
  std::optional<Address> gateway_v4;
  std::optional<Address> gateway_v6;
  std::optional<Address> encap_source_v4;
  uint8_t encap_source_v4_entropy_bits = 0;
  std::optional<Address> encap_source_v6;
  uint8_t encap_source_v6_entropy_bits = 0;
  uint16_t mtu = 1500;
  uint16_t gue_port = 6080;
  bool icmp_too_big = true;
  FlowTableConfig flow_table;
  friend bool operator==(const DataplaneConfig &, const DataplaneConfig &) = default;
};

struct ControlConfig {
  std::string socket = "/run/maglb/maglbd.sock";
  // Prometheus listener; loopback by default so metrics are never exposed
  // on the load-balanced network unless asked for.
  Endpoint metrics_listen{Address{MAGLB_FAMILY_IPV4, {127, 0, 0, 1}}, 9108};
  // A group whose members may use the control socket besides root (the
  // socket becomes 0660 root:group); empty = root (and maglbd's user) only.
  std::string socket_group;
  friend bool operator==(const ControlConfig &, const ControlConfig &) = default;
};

// With type kNone every other field holds its default (they are ignored
// when parsed), so that a model has exactly one JSON form.
struct HealthcheckConfig {
  HealthcheckType type = HealthcheckType::kNone;
  uint16_t port = 0;  // tcp/http: the VIP port unless given
  std::string path = "/";
  uint16_t expect_status = 200;
  uint32_t interval_ms = 1000;
  uint32_t timeout_ms = 500;
  uint32_t rise = 2;
  uint32_t fall = 3;
  bool through_tunnel = false;
  uint32_t slow_start_s = 0;
  friend bool operator==(const HealthcheckConfig &, const HealthcheckConfig &) = default;
};

struct BackendConfig {
  Address address;
  uint16_t weight = 100;  // 0 = drain: keeps its flows, gets no new ones
  std::string name;       // empty = unnamed
  // With weight 0 only: the weight `maglbctl backend undrain` restores (the
  // drain command records it here so it survives a daemon restart). 0 = none.
  uint16_t undrain_weight = 0;
  friend bool operator==(const BackendConfig &, const BackendConfig &) = default;
};

struct VipConfig {
  Address address;
  uint16_t port = 0;  // 0 = every port
  Protocol protocol = Protocol::kTcp;
  Method method = Method::kIpip;
  HashFields hash = HashFields::k5Tuple;
  uint32_t table_size = MAGLB_DEFAULT_TABLE_SIZE;
  HealthcheckConfig healthcheck;
  std::vector<BackendConfig> backends;
  friend bool operator==(const VipConfig &, const VipConfig &) = default;
};

struct Config {
  DataplaneConfig dataplane;
  ControlConfig control;
  std::vector<VipConfig> vips;
  std::optional<BgpConfig> bgp;  // absent: no announcements (a single LB, static routes)
  friend bool operator==(const Config &, const Config &) = default;
};

}  // namespace maglb::config
