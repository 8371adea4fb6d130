// Classic pcap files (Ethernet link type) for feeding and reading net_pcap.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace maglb::dpdk_test {

using Frame = std::vector<uint8_t>;

// Returns false (and sets *error) if the file cannot be written.
bool write_pcap(const std::string &path, const std::vector<Frame> &frames, std::string *error);
// Reads every record (microsecond or nanosecond magic, either byte order).
bool read_pcap(const std::string &path, std::vector<Frame> *frames, std::string *error);

}  // namespace maglb::dpdk_test
