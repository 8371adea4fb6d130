// Attaches, detaches and inspects the backend decapsulation program
// (bpf/maglb_decap.bpf.c) on an interface's tc ingress hook. The tc filter
// keeps the program and its maps alive after this process exits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "maglb_decap_abi.h"

namespace maglb::decap {

// tc filter identity of the decap program (one per interface): attach
// replaces it in place, detach removes exactly it and leaves the clsact
// qdisc and any other filter alone.
inline constexpr uint32_t kTcHandle = 0x4d47;  // "MG"
inline constexpr uint32_t kTcPriority = 1;

struct AttachOptions {
  uint16_t gue_port = 0;  // host order; 0: GUE not decapsulated
  // Outer destinations accepted ("this host"). Empty: every address the
  // host has at attach time (all interfaces; run attach again after an
  // address change).
  std::vector<std::string> addresses;
};

struct Status {
  bool attached = false;
  uint32_t prog_id = 0;
  uint16_t gue_port = 0;
  maglb_decap_stats stats{};  // summed over CPUs
  std::vector<std::string> addresses;
};

// Each returns an empty string on success, else what failed and why.
std::string attach(const std::string &ifname, const AttachOptions &options);
std::string detach(const std::string &ifname);
std::string status(const std::string &ifname, Status *out);

}  // namespace maglb::decap
