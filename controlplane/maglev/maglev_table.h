// SPDX-License-Identifier: Apache-2.0
//
// Maglev lookup-table builder (Eisenbud et al., "Maglev: A Fast and Reliable
// Software Network Load Balancer", NSDI 2016, section 3.4, Pseudocode 1),
// extended with integer weights. docs/maglev.md specifies every byte so that
// another implementation builds the same table: load balancers behind one
// ECMP group must agree on the backend of every flow without talking.
#ifndef MAGLB_CONTROLPLANE_MAGLEV_MAGLEV_TABLE_H
#define MAGLB_CONTROLPLANE_MAGLEV_MAGLEV_TABLE_H

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace maglb::maglev {

struct Backend {
  // Stable identity bytes hashed for offset/skip: the backend address in
  // network order, 4 bytes (IPv4) or 16 (IPv6). Other lengths are rejected.
  std::vector<uint8_t> identity;
  // Value written into the slots (stable backend id; never MAGLB_SLOT_EMPTY).
  uint32_t id;
  // Any non-negative integer; 0 = drain: the backend gets no slots.
  uint32_t weight;
};

// True if n is prime (deterministic for every 64-bit n).
bool is_prime(uint64_t n);

// Fills `out` (resized to table_size) with backend ids. Every slot is
// MAGLB_SLOT_EMPTY when no backend has weight > 0 (including an empty set).
// The result depends only on the set of backends, never on their order.
//
// Returns "" on success. Otherwise returns a message with its context and
// leaves `out` empty; the checks, in this order:
//   "table size must be 2..5000011 (got 1)"
//   "table size 65536 is not prime"
//   "backend id 7: identity must be 4 (IPv4) or 16 (IPv6) bytes, got 3"
//   "backend 198.18.1.2: id 4294967295 is reserved for empty slots"
//   "duplicate backend identity 198.18.1.2"
//   "duplicate backend id 7 (198.18.1.2 and 198.18.1.3)"
//   "table size 7 is below the number of backends with weight > 0 (9)"
// The last one is an error rather than a silent starvation: with fewer
// slots than active backends some backend would get no traffic at all.
std::string build_table(std::span<const Backend> backends, uint32_t table_size,
                        std::vector<uint32_t> &out);

}  // namespace maglb::maglev

#endif  // MAGLB_CONTROLPLANE_MAGLEV_MAGLEV_TABLE_H
