#include "config_primes.h"

namespace maglb::config {

bool is_prime(uint64_t n) {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (uint64_t d = 3; d * d <= n; d += 2) {
    if (n % d == 0) return false;
  }
  return true;
}

uint64_t next_prime(uint64_t n) {
  while (!is_prime(n)) ++n;
  return n;
}

}  // namespace maglb::config
