// Internal to the fixture library: the groups of fixtures and the helpers
// they share.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fixture_model.h"
#include "fixtures.h"

namespace maglb::fixtures {

using Counts = std::vector<std::pair<maglb_counter, uint64_t>>;

// Client side of the fixtures.
Ip client4();
Ip client6();
// A frame from the client-side router to the load balancer's port.
PacketBuilder from_peer(std::optional<uint16_t> ether_type = std::nullopt);

// A fixture with rx_packets/rx_bytes added to `counts`.
Fixture make(const std::string &name, const std::string &description, const Bytes &input,
             core::Verdict verdict, const Bytes &expected, Counts counts);
Fixture make_pass(const std::string &name, const std::string &description, const Bytes &input);
Fixture make_drop(const std::string &name, const std::string &description, const Bytes &input,
                  maglb_counter reason, Counts extra = {});
// Forwarded to backend `backend_id` of VIP `vip` with entropy `hash`:
// tx_forwarded and the method's fwd_* counter added to `extra`.
Fixture make_forward(const Model &m, const std::string &name, const std::string &description,
                     const Bytes &input, const std::string &vip, uint32_t backend_id, uint32_t hash,
                     Counts extra);
// A new TCP/UDP flow: backend and hash from the VIP's table and hash
// fields; flow_new added.
Fixture make_new_flow(const Model &m, const std::string &name, const std::string &description,
                      const Bytes &input, const std::string &vip, const Ip &client, uint16_t sport,
                      uint16_t dport);

void add_forwarding_fixtures(std::vector<Fixture> &out);
void add_special_fixtures(std::vector<Fixture> &out);    // fragments, ICMP, too big, TTL
void add_malformed_fixtures(std::vector<Fixture> &out);  // drops and passes

}  // namespace maglb::fixtures
