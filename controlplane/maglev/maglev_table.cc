// SPDX-License-Identifier: Apache-2.0
#include "maglev_table.h"

#include <arpa/inet.h>
#include <xxhash.h>

#include <algorithm>
#include <numeric>
#include <string>

#include "maglb_abi.h"
#include "maglev_fill.h"

namespace maglb::maglev {
namespace {

// The two hash functions of section 3.4 ("offset" and "skip") are XXH64 with
// two fixed seeds: ASCII "maglev-o" and "maglev-s" read as big-endian
// integers. Changing either changes every table: docs/maglev.md pins them.
constexpr uint64_t kOffsetSeed = 0x6d61676c65762d6full;
constexpr uint64_t kSkipSeed = 0x6d61676c65762d73ull;

std::string format_identity(const std::vector<uint8_t> &identity) {
  char text[INET6_ADDRSTRLEN] = {};
  if (identity.size() == 4 && inet_ntop(AF_INET, identity.data(), text, sizeof(text)) != nullptr) {
    return text;
  }
  if (identity.size() == 16 &&
      inet_ntop(AF_INET6, identity.data(), text, sizeof(text)) != nullptr) {
    return text;
  }
  std::string text_bytes = std::to_string(identity.size());
  text_bytes += " bytes";
  return text_bytes;
}

// Section 3.4 makes M prime so that every skip is coprime with it; the upper
// bound is the largest table the dataplanes accept.
std::string check_table_size(uint32_t table_size) {
  if (table_size < 2 || table_size > MAGLB_MAX_TABLE_SIZE) {
    return "table size must be 2.." + std::to_string(MAGLB_MAX_TABLE_SIZE) + " (got " +
           std::to_string(table_size) + ")";
  }
  if (!is_prime(table_size)) return "table size " + std::to_string(table_size) + " is not prime";
  return "";
}

std::string check_backend(const Backend &b) {
  if (b.identity.size() != 4 && b.identity.size() != 16) {
    return "backend id " + std::to_string(b.id) +
           ": identity must be 4 (IPv4) or 16 (IPv6) bytes, got " +
           std::to_string(b.identity.size());
  }
  if (b.id == MAGLB_SLOT_EMPTY) {
    return "backend " + format_identity(b.identity) + ": id " + std::to_string(b.id) +
           " is reserved for empty slots";
  }
  return "";
}

// Lexicographic byte order, a prefix first (what std::vector's operator<
// means, spelled out because GCC 12 reports a false -Wstringop-overread on
// the library version at -O3).
bool identity_less(const std::vector<uint8_t> &a, const std::vector<uint8_t> &b) {
  const size_t common = std::min(a.size(), b.size());
  for (size_t k = 0; k < common; ++k) {
    if (a[k] != b[k]) return a[k] < b[k];
  }
  return a.size() < b.size();
}

// Positions of `backends` sorted by identity bytes (lexicographic, a prefix
// first). This order, not the caller's, is the order of the rounds, which is
// what makes the table independent of input order.
std::vector<uint32_t> order_by_identity(std::span<const Backend> backends) {
  std::vector<uint32_t> order(backends.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return identity_less(backends[a].identity, backends[b].identity);
  });
  return order;
}

std::string check_unique(std::span<const Backend> backends, const std::vector<uint32_t> &order) {
  for (size_t k = 1; k < order.size(); ++k) {
    if (backends[order[k - 1]].identity == backends[order[k]].identity) {
      return "duplicate backend identity " + format_identity(backends[order[k]].identity);
    }
  }
  std::vector<uint32_t> by_id = order;
  std::stable_sort(by_id.begin(), by_id.end(),
                   [&](uint32_t a, uint32_t b) { return backends[a].id < backends[b].id; });
  for (size_t k = 1; k < by_id.size(); ++k) {
    const Backend &first = backends[by_id[k - 1]];
    const Backend &second = backends[by_id[k]];
    if (first.id == second.id) {
      return "duplicate backend id " + std::to_string(first.id) + " (" +
             format_identity(first.identity) + " and " + format_identity(second.identity) + ")";
    }
  }
  return "";
}

detail::FillEntry make_entry(const Backend &b, uint32_t table_size) {
  const uint64_t h1 = XXH64(b.identity.data(), b.identity.size(), kOffsetSeed);
  const uint64_t h2 = XXH64(b.identity.data(), b.identity.size(), kSkipSeed);
  return {static_cast<uint32_t>(h1 % table_size), static_cast<uint32_t>(h2 % (table_size - 1) + 1),
          b.id, b.weight};
}

std::string build_checked(std::span<const Backend> backends, uint32_t table_size,
                          std::vector<uint32_t> &out) {
  if (std::string err = check_table_size(table_size); !err.empty()) return err;
  for (const Backend &b : backends) {
    if (std::string err = check_backend(b); !err.empty()) return err;
  }
  const std::vector<uint32_t> order = order_by_identity(backends);
  if (std::string err = check_unique(backends, order); !err.empty()) return err;

  std::vector<detail::FillEntry> entries;
  for (uint32_t k : order) {
    if (backends[k].weight > 0) entries.push_back(make_entry(backends[k], table_size));
  }
  if (entries.size() > table_size) {
    return "table size " + std::to_string(table_size) +
           " is below the number of backends with weight > 0 (" + std::to_string(entries.size()) +
           ")";
  }
  if (entries.empty()) {
    out.assign(table_size, MAGLB_SLOT_EMPTY);
    return "";
  }
  detail::fill(entries, table_size, out);
  return "";
}

}  // namespace

std::string build_table(std::span<const Backend> backends, uint32_t table_size,
                        std::vector<uint32_t> &out) {
  std::string err = build_checked(backends, table_size, out);
  if (!err.empty()) out.clear();
  return err;
}

}  // namespace maglb::maglev
