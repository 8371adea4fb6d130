#include "pcap_file.h"

#include <cstdio>
#include <cstring>
#include <memory>

namespace maglb::dpdk_test {

namespace {

struct FileCloser {
  void operator()(FILE *f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

uint32_t swap32(uint32_t v) {
  return __builtin_bswap32(v);
}

}  // namespace

bool write_pcap(const std::string &path, const std::vector<Frame> &frames, std::string *error) {
  File f(std::fopen(path.c_str(), "wb"));
  if (!f) {
    *error = "cannot create " + path;
    return false;
  }
  const uint32_t global[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};  // v2.4, LINKTYPE_ETHERNET
  bool ok = std::fwrite(global, sizeof(global), 1, f.get()) == 1;
  uint32_t usec = 0;
  for (const Frame &fr : frames) {
    const uint32_t rec[4] = {1, usec++, static_cast<uint32_t>(fr.size()),
                             static_cast<uint32_t>(fr.size())};
    ok = ok && std::fwrite(rec, sizeof(rec), 1, f.get()) == 1;
    ok = ok && (fr.empty() || std::fwrite(fr.data(), fr.size(), 1, f.get()) == 1);
  }
  if (!ok) *error = "short write to " + path;
  return ok;
}

bool read_pcap(const std::string &path, std::vector<Frame> *frames, std::string *error) {
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    *error = "cannot open " + path;
    return false;
  }
  uint32_t global[6];
  if (std::fread(global, sizeof(global), 1, f.get()) != 1) {
    *error = path + ": no pcap header";
    return false;
  }
  bool swapped;
  if (global[0] == 0xa1b2c3d4u || global[0] == 0xa1b23c4du) {
    swapped = false;
  } else if (global[0] == swap32(0xa1b2c3d4u) || global[0] == swap32(0xa1b23c4du)) {
    swapped = true;
  } else {
    *error = path + ": not a pcap file";
    return false;
  }
  frames->clear();
  uint32_t rec[4];
  while (std::fread(rec, sizeof(rec), 1, f.get()) == 1) {
    uint32_t caplen = swapped ? swap32(rec[2]) : rec[2];
    if (caplen > 262144) {
      *error = path + ": record of " + std::to_string(caplen) + " bytes";
      return false;
    }
    Frame fr(caplen);
    if (caplen > 0 && std::fread(fr.data(), caplen, 1, f.get()) != 1) {
      *error = path + ": truncated record";
      return false;
    }
    frames->push_back(std::move(fr));
  }
  return true;
}

}  // namespace maglb::dpdk_test
