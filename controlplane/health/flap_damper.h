// Flap damping for one backend (parameters and reasons: DampingParams in
// health_types.h, docs/health.md). Pure: time is passed in.
#pragma once

#include "health_types.h"

namespace maglb::health {

class FlapDamper {
 public:
  explicit FlapDamper(const DampingParams &params) : params_(params) {}

  // Takes effect from the next call; the accumulated penalty is kept.
  void set_params(const DampingParams &params);

  // One Up<->Down transition at `now`: adds the penalty (capped) and
  // suppresses if it now exceeds the suppress threshold.
  void on_transition(TimePoint now);

  // Releases the suppression once the decayed penalty is below the reuse
  // threshold. Call before reading suppressed() at a new time.
  void update(TimePoint now);

  // Clears penalty and suppression (the VIP stopped checking).
  void reset();

  bool suppressed() const { return suppressed_; }
  double penalty(TimePoint now) const;
  // When the last suppression ended: the exact moment the penalty crossed
  // the reuse threshold (computed, not the time of the update() that saw
  // it), so a slow-start ramp does not depend on how often update() runs.
  // Zero if never released.
  TimePoint released_at() const { return released_at_; }

 private:
  DampingParams params_;
  double penalty_ = 0.0;  // value at stamp_
  TimePoint stamp_{};
  bool suppressed_ = false;
  TimePoint released_at_{};
};

}  // namespace maglb::health
