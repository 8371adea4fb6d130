#include "backend_health.h"

#include <algorithm>

namespace maglb::health {

BackendHealth::BackendHealth(const StateParams &params, uint32_t configured_weight,
                             bool ramp_first_up)
    : params_(params),
      damper_(params.damping),
      configured_weight_(configured_weight),
      ramp_first_up_(ramp_first_up) {}

void BackendHealth::set_params(const StateParams &params) {
  params_ = params;
  damper_.set_params(params.damping);
}

void BackendHealth::set_unchecked(TimePoint now) {
  damper_.reset();
  successes_ = failures_ = 0;
  if (state_ != BackendState::kUp) {
    state_ = BackendState::kUp;
    last_change_ = now;
    up_is_recovery_ = false;
  }
}

void BackendHealth::transition(BackendState to, TimePoint now) {
  const BackendState from = state_;
  // The first verdict after Unknown is not a flap.
  if (from != BackendState::kUnknown) damper_.on_transition(now);
  if (to == BackendState::kUp) {
    up_is_recovery_ = from == BackendState::kDown || ramp_first_up_;
  }
  state_ = to;
  last_change_ = now;
}

bool BackendHealth::record(bool success, TimePoint now) {
  if (success) {
    ++successes_;
    failures_ = 0;
    if (state_ != BackendState::kUp && successes_ >= params_.rise) {
      transition(BackendState::kUp, now);
      return true;
    }
  } else {
    ++failures_;
    successes_ = 0;
    if (state_ != BackendState::kDown && failures_ >= params_.fall) {
      transition(BackendState::kDown, now);
      return true;
    }
  }
  return false;
}

uint32_t BackendHealth::update(TimePoint now) {
  damper_.update(now);
  if (state_ != BackendState::kUp || damper_.suppressed() || configured_weight_ == 0) return 0;

  // In service since it came up, or since its suppression ended if later
  // (a release while Up is a recovery too).
  const bool released_while_up = damper_.released_at() > last_change_;
  const bool ramp = up_is_recovery_ || released_while_up;
  if (!ramp || params_.slow_start.count() <= 0) return configured_weight_;
  const TimePoint since = released_while_up ? damper_.released_at() : last_change_;
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - since).count();
  const auto ramp_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(params_.slow_start).count();
  if (elapsed >= ramp_ms) return configured_weight_;
  const uint64_t w = static_cast<uint64_t>(configured_weight_) *
                     static_cast<uint64_t>(std::max<int64_t>(elapsed, 0)) /
                     static_cast<uint64_t>(ramp_ms);
  return static_cast<uint32_t>(std::max<uint64_t>(w, 1));
}

}  // namespace maglb::health
