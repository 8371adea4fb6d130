// Flow keys as five 64-bit words, and maglb_flow_hash computed on them.
//
// The key is assembled in registers from 4- and 8-byte loads of the packet
// and stored with 8-byte stores: building it field by field and then
// reading it back with wider loads stalls on store forwarding (measured:
// about 20% of the per-packet budget, /work/shared/TESTBED.md).
#pragma once

#include <cstdint>
#include <cstring>

#include "maglb_abi.h"
#include "maglb_hash.h"

namespace maglb::core {

struct FlowWords {
  // w[0..1] src, w[2..3] dst, w[4] = sport | dport << 16 | proto << 32 | family << 40
  // (little-endian images of the maglb_flow_key bytes).
  uint64_t w[5];
};

inline uint64_t load_u64(const uint8_t *p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t load_u32(const uint8_t *p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint16_t load_u16(const uint8_t *p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

// ports: the 4 bytes sport,dport as they sit in the packet (one 32-bit load).
inline uint64_t tail_word(uint32_t ports, uint8_t proto, uint8_t family) {
  return uint64_t{ports} | uint64_t{proto} << 32 | uint64_t{family} << 40;
}

// maglb_flow_hash (MurmurHash3_x86_32 over the ten 32-bit words, seed
// MAGLB_FLOW_HASH_SEED) of the key whose words these are. Same value, no
// memory round trip; tests/unit/core checks the equality on random keys.
inline uint32_t flow_hash_words(const FlowWords &k) {
  uint32_t h = MAGLB_FLOW_HASH_SEED;
  for (int i = 0; i < 5; ++i) {
    h = maglb_murmur3_word(h, static_cast<uint32_t>(k.w[i]));
    h = maglb_murmur3_word(h, static_cast<uint32_t>(k.w[i] >> 32));
  }
  h ^= 40u;
  return maglb_murmur3_fmix(h);
}

// Flow-table placement hash of an unmasked key: CRC32C over the five words
// (five 3-cycle instructions) plus a multiply to spread it, where SSE4.2
// exists; the table's own business, unlike the spec hash above that picks
// Maglev slots (computed only for new flows; established flows keep it in
// their entry).
inline uint32_t table_hash_words(const FlowWords &k) {
#if defined(__SSE4_2__)
  uint64_t c = 0x6d61676cu;
  for (int i = 0; i < 5; ++i) c = __builtin_ia32_crc32di(c, k.w[i]);
  uint32_t h = static_cast<uint32_t>(c);
  h ^= h >> 15;
  h *= 0x2c1b3c6du;
  h ^= h >> 12;
  return h;
#else
  return flow_hash_words(k);
#endif
}

// maglb_flow_hash_mask on words.
inline FlowWords mask_words(const FlowWords &k, uint8_t hash_fields) {
  FlowWords m = k;
  if (hash_fields == MAGLB_HASH_3TUPLE) {
    m.w[4] &= 0xffffffff00000000ull;  // ports
  } else if (hash_fields == MAGLB_HASH_SRC_ADDR) {
    m.w[2] = m.w[3] = 0;              // dst
    m.w[4] &= 0x0000ff0000000000ull;  // family only (ports and proto zero)
  }
  return m;
}

inline void store_key(const FlowWords &k, maglb_flow_key *key) {
  std::memcpy(key, k.w, sizeof(*key));
}

inline uint16_t words_dport(const FlowWords &k) {
  return static_cast<uint16_t>(k.w[4] >> 16);
}
inline uint8_t words_proto(const FlowWords &k) {
  return static_cast<uint8_t>(k.w[4] >> 32);
}
inline uint8_t words_family(const FlowWords &k) {
  return static_cast<uint8_t>(k.w[4] >> 40);
}

// Bytes 16-19 of the VIP key of a flow (dport, proto, family; the address
// is w[2], w[3]); port 0 for the port-0 lookup.
inline uint32_t vip_tail_of(const FlowWords &k, bool port0) {
  const auto tail = static_cast<uint32_t>(k.w[4] >> 16);  // dport | proto << 16 | family << 24
  return port0 ? (tail & 0xffff0000u) : tail;
}

}  // namespace maglb::core
