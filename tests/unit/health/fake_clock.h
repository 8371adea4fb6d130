// A fake clock for the pure health tests: times are offsets from a fixed
// origin, so expected values can be written down exactly.
#pragma once

#include <chrono>

#include "health_types.h"

namespace maglb::health::test {

inline TimePoint at_ms(int64_t ms) {
  return TimePoint{} + std::chrono::hours(1) + std::chrono::milliseconds(ms);
}
inline TimePoint at_s(double s) {
  return at_ms(static_cast<int64_t>(s * 1000.0));
}

}  // namespace maglb::health::test
