// Virtual time (see clock.h): virtual ns = host monotonic ns - offset while running; pausing
// freezes the value and resuming moves the offset so no time passes while paused. Timers sit in a
// multimap keyed by deadline, so equal deadlines fire in the order they were scheduled.
#include "devices/clock.h"

#include <time.h>


namespace bt86 {

VirtualClock::VirtualClock() : offset_ns_(host_ns()) {}

uint64_t VirtualClock::host_ns() const {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

uint64_t VirtualClock::now_ns() const { return paused_ ? paused_at_ : host_ns() - offset_ns_; }

void VirtualClock::pause() {
  if (paused_) return;
  paused_at_ = now_ns();
  paused_ = true;
}

void VirtualClock::resume() {
  if (!paused_) return;
  offset_ns_ = host_ns() - paused_at_;
  paused_ = false;
}

VirtualClock::TimerId VirtualClock::schedule_at(uint64_t when_ns, std::function<void()> cb) {
  const TimerId id = next_id_++;
  timers_.emplace(when_ns, std::make_pair(id, std::move(cb)));
  return id;
}

void VirtualClock::cancel(TimerId id) {
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    if (it->second.first == id) {
      timers_.erase(it);
      return;
    }
  }
}

uint64_t VirtualClock::next_deadline() const {
  return timers_.empty() ? UINT64_MAX : timers_.begin()->first;
}

void VirtualClock::run_due() {
  // Timers a callback schedules for a time already reached fire in this same call; "now" is
  // taken once so a periodic timer cannot keep this loop going forever.
  const uint64_t now = now_ns();
  while (!timers_.empty() && timers_.begin()->first <= now) {
    std::function<void()> cb = std::move(timers_.begin()->second.second);
    timers_.erase(timers_.begin());
    cb();
  }
}

}  // namespace bt86
