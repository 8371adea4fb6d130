// The health state machine of one backend: Unknown -> Up after `rise`
// consecutive successes, -> Down after `fall` consecutive failures; flap
// damping on top; slow start after a recovery. Pure (no I/O, no clock of its
// own): every call gets the time, so tests drive it with a fake clock. The
// effective weight depends only on the recorded history and the time asked
// about, not on how often update() is called.
#pragma once

#include <cstdint>

#include "flap_damper.h"
#include "health_types.h"

namespace maglb::health {

class BackendHealth {
 public:
  // ramp_first_up: also slow-start the first Unknown -> Up. The checker sets
  // it for a backend added to a VIP that already exists; at start-up every
  // backend is new, and ramping them all from 1 together would only flatten
  // their configured weights.
  BackendHealth(const StateParams &params, uint32_t configured_weight, bool ramp_first_up);

  // New parameters apply from the next result or update; counters, state,
  // penalty and a running ramp are kept.
  void set_params(const StateParams &params);
  void set_configured_weight(uint32_t weight) { configured_weight_ = weight; }

  // For a VIP without checks: Up at once, no damping, no ramp. Idempotent.
  void set_unchecked(TimePoint now);

  // Records one probe result; returns true if the state (Unknown/Up/Down) changed.
  bool record(bool success, TimePoint now);

  // Releases a damping suppression whose penalty has decayed by `now`, and
  // returns the effective weight at `now`:
  //  0 unless Up and not suppressed; 0 if the configured weight is 0 (drain);
  //  during slow_start after a recovery (Down -> Up, or the end of a
  //  suppression): max(1, configured * elapsed / slow_start); else configured.
  uint32_t update(TimePoint now);

  BackendState state() const { return state_; }
  bool suppressed() const { return damper_.suppressed(); }
  double penalty(TimePoint now) const { return damper_.penalty(now); }
  uint32_t consecutive_successes() const { return successes_; }
  uint32_t consecutive_failures() const { return failures_; }
  TimePoint last_change() const { return last_change_; }
  uint32_t configured_weight() const { return configured_weight_; }

 private:
  void transition(BackendState to, TimePoint now);

  StateParams params_;
  FlapDamper damper_;
  uint32_t configured_weight_;
  bool ramp_first_up_;
  BackendState state_ = BackendState::kUnknown;
  uint32_t successes_ = 0;
  uint32_t failures_ = 0;
  TimePoint last_change_{};
  bool up_is_recovery_ = false;  // the current Up began as a recovery: ramp it
};

}  // namespace maglb::health
