// SPDX-License-Identifier: Apache-2.0
//
// Test helper for maglev_oracle.py: reads "M" then "<id> <weight> <hex
// identity>" lines on stdin, prints the table one id a line, or
// "error: <message>" when build_table rejects the input.
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "maglev_table.h"

namespace {

bool parse_hex(const std::string &hex, std::vector<uint8_t> &bytes) {
  if (hex.size() % 2 != 0) return false;
  for (size_t k = 0; k < hex.size(); k += 2) {
    bytes.push_back(static_cast<uint8_t>(std::stoul(hex.substr(k, 2), nullptr, 16)));
  }
  return true;
}

}  // namespace

int main() {
  uint32_t table_size = 0;
  if (!(std::cin >> table_size)) {
    std::fprintf(stderr, "maglev_table_tool: expected the table size\n");
    return 2;
  }
  std::vector<maglb::maglev::Backend> backends;
  uint32_t id = 0, weight = 0;
  std::string hex;
  while (std::cin >> id >> weight >> hex) {
    maglb::maglev::Backend b{{}, id, weight};
    if (!parse_hex(hex, b.identity)) {
      std::fprintf(stderr, "maglev_table_tool: bad identity %s\n", hex.c_str());
      return 2;
    }
    backends.push_back(std::move(b));
  }
  std::vector<uint32_t> table;
  const std::string err = maglb::maglev::build_table(backends, table_size, table);
  if (!err.empty()) {
    std::printf("error: %s\n", err.c_str());
    return 0;
  }
  std::string text;
  for (uint32_t slot : table) {
    text += std::to_string(slot);
    text += '\n';
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}
