#include <algorithm>

#include "config_field_readers.h"
#include "config_sections.h"

namespace maglb::config {

namespace {

// Passwords and paths are written into BIRD's config file inside double
// quotes: refuse what would end the string or the line there.
bool bird_quotable(const std::string &text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
}

bool read_asn(ObjectReader &reader, std::string_view key, uint32_t &out) {
  return reader.read_uint(key, out, 1, 4294967295u, Presence::kRequired);
}

BgpPeerConfig parse_peer(const nlohmann::json &json, const std::string &path, ErrorList &errors) {
  BgpPeerConfig peer;
  ObjectReader reader(json, path, errors);
  std::optional<Address> address;
  if (read_address(reader, "address", 0, address, Presence::kRequired)) peer.address = *address;
  read_asn(reader, "asn", peer.asn);
  if (reader.read_string("password", peer.password, Presence::kOptional) &&
      (peer.password.empty() || peer.password.size() > 80 || !bird_quotable(peer.password))) {
    // RFC 2385 keys are at most 80 bytes (TCP_MD5SIG_MAXKEYLEN).
    errors.add(reader.path_of("password"),
               "must be 1..80 printable ASCII characters without \" or \\");
  }
  reader.finish();
  return peer;
}

std::optional<BgpCommunity> parse_community(const std::string &text) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  uint32_t parts[2] = {0, 0};
  const std::string halves[2] = {text.substr(0, colon), text.substr(colon + 1)};
  for (int i = 0; i < 2; ++i) {
    if (halves[i].size() > 5 || !std::all_of(halves[i].begin(), halves[i].end(),
                                             [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    parts[i] = static_cast<uint32_t>(std::stoul(halves[i]));
    if (parts[i] > 65535) return std::nullopt;
  }
  return BgpCommunity{static_cast<uint16_t>(parts[0]), static_cast<uint16_t>(parts[1])};
}

void read_peers(ObjectReader &reader, BgpConfig &bgp) {
  const auto *peers = reader.field("peers", Presence::kRequired);
  if (peers == nullptr) return;
  const std::string path = reader.path_of("peers");
  if (!peers->is_array() || peers->empty()) {
    reader.errors().add(path, "must be a non-empty array");
    return;
  }
  for (size_t i = 0; i < peers->size(); ++i) {
    bgp.peers.push_back(parse_peer((*peers)[i], index(path, i), reader.errors()));
    for (size_t j = 0; j < i; ++j) {
      const std::string at = join(index(path, i), "address");
      if (reader.errors().clean(at) && reader.errors().clean(join(index(path, j), "address")) &&
          bgp.peers[j].address == bgp.peers[i].address) {
        reader.errors().add(at, "duplicate of peers[" + std::to_string(j) + "]");
      }
    }
  }
}

void read_communities(ObjectReader &reader, BgpConfig &bgp) {
  const auto *list = reader.field("communities", Presence::kOptional);
  if (list == nullptr) return;
  const std::string path = reader.path_of("communities");
  if (!list->is_array()) {
    reader.errors().add(path, "must be an array of \"asn:value\" strings");
    return;
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const auto &item = (*list)[i];
    const auto community =
        item.is_string() ? parse_community(item.get<std::string>()) : std::nullopt;
    if (!community) {
      reader.errors().add(index(path, i), "must be \"asn:value\" with both 0..65535");
      continue;
    }
    bgp.communities.push_back(*community);
  }
}

void read_path(ObjectReader &reader, std::string_view key, std::string &out) {
  std::string text;
  if (!reader.read_string(key, text, Presence::kOptional)) return;
  if (text.empty() || text.front() != '/' || text.size() > 4096 || !bird_quotable(text)) {
    reader.errors().add(reader.path_of(key),
                        "must be an absolute path of printable ASCII without \" or \\");
    return;
  }
  out = std::move(text);
}

BirdConfig parse_bird(const nlohmann::json &json, const std::string &path, ErrorList &errors) {
  BirdConfig bird;
  ObjectReader reader(json, path, errors);
  read_path(reader, "config", bird.config);
  if (read_socket_path(reader, "socket", bird.socket, Presence::kOptional) &&
      !bird_quotable(bird.socket)) {
    errors.add(reader.path_of("socket"), "must be printable ASCII without \" or \\");
  }
  reader.read_bool("manage", bird.manage, Presence::kOptional);
  read_path(reader, "bird", bird.bird);
  read_path(reader, "birdc", bird.birdc);
  reader.finish();
  return bird;
}

}  // namespace

BgpConfig parse_bgp(const nlohmann::json &json, ErrorList &errors) {
  BgpConfig bgp;
  ObjectReader reader(json, "bgp", errors);
  read_asn(reader, "local_asn", bgp.local_asn);
  std::optional<Address> address;
  if (read_address(reader, "router_id", MAGLB_FAMILY_IPV4, address, Presence::kRequired)) {
    bgp.router_id = *address;
  }
  read_peers(reader, bgp);
  read_address(reader, "next_hop_v4", MAGLB_FAMILY_IPV4, bgp.next_hop_v4, Presence::kOptional);
  read_address(reader, "next_hop_v6", MAGLB_FAMILY_IPV6, bgp.next_hop_v6, Presence::kOptional);
  read_communities(reader, bgp);
  uint32_t med = 0;
  if (reader.read_uint("med", med, 0, 4294967295u, Presence::kOptional)) bgp.med = med;
  // RFC 4271 4.2: a hold time is 0 or at least 3 s; we never turn keepalives off.
  const bool hold_ok =
      reader.read_uint("hold_time_s", bgp.hold_time_s, 3, 65535, Presence::kOptional);
  if (reader.read_uint("keepalive_s", bgp.keepalive_s, 1, 21845, Presence::kOptional) || hold_ok) {
    if (reader.errors().clean(reader.path_of("hold_time_s")) &&
        reader.errors().clean(reader.path_of("keepalive_s")) &&
        uint32_t{bgp.keepalive_s} * 3 > bgp.hold_time_s) {
      // Three keepalives per hold time, so one lost packet does not drop the session.
      errors.add(reader.path_of("keepalive_s"), "must be at most a third of hold_time_s (" +
                                                    std::to_string(bgp.hold_time_s) + ")");
    }
  }
  reader.read_uint("withdraw_delay_ms", bgp.withdraw_delay_ms, 0, 600000, Presence::kOptional);
  if (const auto *bird = reader.field("bird", Presence::kOptional)) {
    bgp.bird = parse_bird(*bird, reader.path_of("bird"), errors);
  }
  reader.finish();
  return bgp;
}

}  // namespace maglb::config
