// SPDX-License-Identifier: Apache-2.0
//
// Arithmetic modulo the table size M (prime, < 2^23), without divisions in
// loops. Internal to the Maglev builder.
#ifndef MAGLB_CONTROLPLANE_MAGLEV_MOD_ARITH_H
#define MAGLB_CONTROLPLANE_MAGLEV_MOD_ARITH_H

#include <cstdint>

namespace maglb::maglev::detail {

// (a + b) mod m for a, b < m < 2^31: the sum cannot wrap.
inline uint32_t add_mod(uint32_t a, uint32_t b, uint32_t m) {
  const uint32_t sum = a + b;
  return sum >= m ? sum - m : sum;
}

// a^-1 mod m for a in [1, m-1], m prime < 2^31 (extended Euclid; every
// intermediate stays within (-m, m)).
inline uint32_t inverse_mod(uint32_t a, uint32_t m) {
  int64_t t = 0, new_t = 1;
  uint32_t r = m, new_r = a;
  while (new_r != 0) {
    const uint32_t q = r / new_r;
    const int64_t next_t = t - static_cast<int64_t>(q) * new_t;
    t = new_t;
    new_t = next_t;
    const uint32_t next_r = r - q * new_r;
    r = new_r;
    new_r = next_r;
  }
  return static_cast<uint32_t>(t < 0 ? t + m : t);
}

// Montgomery multiplication with R = 2^32 for an odd modulus m < 2^23:
// mul(a, to_montgomery(b)) = a * b mod m using only multiplies, shifts and
// one conditional subtraction, on 64-bit integers, so that a loop of them
// vectorizes (the direct search of TableFiller runs it over every empty
// slot).
class Montgomery {
 public:
  explicit Montgomery(uint32_t m) : m_(m), r_mod_m_((uint64_t{1} << 32) % m) {
    // m^-1 mod 2^32 by Newton's iteration: an odd m is its own inverse mod
    // 2^3, and each step doubles the number of correct low bits.
    uint32_t inv = m;
    for (int i = 0; i < 4; ++i) inv *= 2u - m * inv;
    neg_m_inv_ = 0u - inv;
  }

  // b * R mod m.
  uint64_t to_montgomery(uint32_t b) const { return uint64_t{b} * r_mod_m_ % m_; }

  // a * b mod m for a < m, b_mont = to_montgomery(b): REDC(a * b_mont).
  // a * b_mont < m^2 < 2^46 and q * m < 2^55, so nothing overflows.
  uint64_t mul(uint64_t a, uint64_t b_mont) const {
    const uint64_t t = a * b_mont;
    const uint64_t q = ((t & 0xffffffffu) * neg_m_inv_) & 0xffffffffu;
    const uint64_t r = (t + q * m_) >> 32;  // < 2m
    return r >= m_ ? r - m_ : r;
  }

 private:
  uint64_t m_;
  uint64_t r_mod_m_;
  uint64_t neg_m_inv_;
};

}  // namespace maglb::maglev::detail

#endif  // MAGLB_CONTROLPLANE_MAGLEV_MOD_ARITH_H
