// Prints every fixture as "name<TAB>verdict<TAB>input hex<TAB>expected hex"
// for the scapy cross-check (check_fixtures_scapy.py) and for debugging.
#include <cstdio>

#include "fixtures.h"

int main() {
  using namespace maglb::fixtures;
  for (const Fixture &f : all_fixtures()) {
    std::printf("%s\t%s\t", f.name.c_str(), verdict_name(f.verdict));
    for (uint8_t b : f.input) std::printf("%02x", b);
    std::printf("\t");
    for (uint8_t b : f.expected) std::printf("%02x", b);
    std::printf("\n");
  }
  return 0;
}
