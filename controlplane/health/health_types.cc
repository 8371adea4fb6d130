#include "health_types.h"

namespace maglb::health {

StateParams state_params(const CheckSpec &spec) {
  StateParams p;
  p.rise = spec.rise;
  p.fall = spec.fall;
  p.slow_start = std::chrono::seconds(spec.slow_start_s);
  p.damping = spec.damping;
  return p;
}

const char *to_string(BackendState state) {
  switch (state) {
    case BackendState::kUnknown:
      return "unknown";
    case BackendState::kUp:
      return "up";
    case BackendState::kDown:
      return "down";
  }
  return "invalid";
}

}  // namespace maglb::health
