// Primality for Maglev table sizes (the permutation of paper section 3.4
// only visits every slot when the table size is prime). Trial division:
// sizes are at most MAGLB_MAX_TABLE_SIZE, so at most ~1,100 divisions.
// Kept here rather than borrowed from controlplane/maglev so the config
// library stands alone.
#pragma once

#include <cstdint>

namespace maglb::config {

bool is_prime(uint64_t n);
// Smallest prime >= n.
uint64_t next_prime(uint64_t n);

}  // namespace maglb::config
