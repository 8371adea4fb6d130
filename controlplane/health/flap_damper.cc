#include "flap_damper.h"

#include <algorithm>
#include <cmath>

namespace maglb::health {

void FlapDamper::set_params(const DampingParams &params) {
  params_ = params;
  if (!params_.enabled) suppressed_ = false;
}

double FlapDamper::penalty(TimePoint now) const {
  if (penalty_ == 0.0 || now <= stamp_) return penalty_;
  const double half_lives = std::chrono::duration<double>(now - stamp_).count() /
                            std::chrono::duration<double>(params_.half_life).count();
  return penalty_ * std::exp2(-half_lives);
}

void FlapDamper::on_transition(TimePoint now) {
  if (!params_.enabled) return;
  const TimePoint at = std::max(now, stamp_);  // never move the stamp backwards
  penalty_ = std::min(params_.max_penalty, penalty(at) + params_.penalty_per_transition);
  stamp_ = at;
  if (penalty_ > params_.suppress_threshold) suppressed_ = true;
}

void FlapDamper::update(TimePoint now) {
  if (!suppressed_ || penalty(now) >= params_.reuse_threshold) return;
  suppressed_ = false;
  // penalty_ * 2^(-t / half_life) = reuse  <=>  t = half_life * log2(penalty_ / reuse)
  const double t = std::chrono::duration<double>(params_.half_life).count() *
                   std::log2(penalty_ / params_.reuse_threshold);
  released_at_ = std::clamp(
      stamp_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(t)),
      stamp_, now);
}

void FlapDamper::reset() {
  penalty_ = 0.0;
  suppressed_ = false;
  released_at_ = TimePoint{};
}

}  // namespace maglb::health
