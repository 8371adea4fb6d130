// A frame as the packet core sees it: one contiguous buffer with room
// around it, independent of DPDK mbufs or XDP buffers.
#pragma once

#include <cstdint>

namespace maglb::core {

// What happens to a frame after the pipeline: TX out of the port it came
// in on (rewritten), PASS to the host kernel (unchanged), or DROP (always
// with a named counter).
enum class Verdict : uint8_t { Tx, Pass, Drop };

struct Packet {
  uint8_t *data;      // first byte of the Ethernet frame; moves back when headers are prepended
  uint16_t len;       // frame length; may shrink (padding, ICMP quote) or grow (encapsulation)
  uint16_t headroom;  // bytes available before data
  uint16_t tailroom;  // bytes available after data + len
};

}  // namespace maglb::core
