// Internet checksum (RFC 1071) helpers. Sums are accumulated in 64 bits
// from 32-bit loads and folded once at the end.
#pragma once

#include <cstdint>
#include <cstring>

namespace maglb::core {

// Adds len bytes at p (any alignment) to a running one's-complement sum.
// Byte order: the sum is of big-endian 16-bit words as they sit in memory,
// computed on little-endian loads (the fold is byte-order neutral).
inline uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len) {
  while (len >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    sum += v >> 32;
    sum += v & 0xffffffffull;
    p += 8;
    len -= 8;
  }
  if (len >= 4) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    sum += v;
    p += 4;
    len -= 4;
  }
  if (len >= 2) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    sum += v;
    p += 2;
    len -= 2;
  }
  if (len) sum += *p;  // the last odd byte is the high byte of a big-endian word: low in memory
  return sum;
}

// Adds a 16-bit value given in host order (e.g. a length) to the sum of
// little-endian loaded words.
inline uint64_t csum_add_host16(uint64_t sum, uint16_t v) {
  return sum + static_cast<uint16_t>((v >> 8) | (v << 8));
}

// Folds and complements: the value to store (as loaded/stored little-endian).
inline uint16_t csum_fold(uint64_t sum) {
  sum = (sum & 0xffffffffull) + (sum >> 32);
  sum = (sum & 0xffffffffull) + (sum >> 32);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

inline void store_csum(uint8_t *at, uint16_t folded) {
  std::memcpy(at, &folded, 2);
}

}  // namespace maglb::core
