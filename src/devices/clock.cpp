// Virtual time (see clock.h). Host mode: virtual ns = host monotonic ns - offset while running;
// pausing freezes the value and resuming moves the offset so no time passes while paused.
// Instruction-count mode: virtual ns = bias + (count << shift), nothing else. Timers sit in a
// multimap keyed by deadline, so equal deadlines fire in the order they were scheduled.
#include "devices/clock.h"

#include <time.h>

#include <stdexcept>
#include <utility>


namespace bt86 {

VirtualClock::VirtualClock() : offset_ns_(host_ns()) {}

VirtualClock::VirtualClock(InstructionCount source) : icount_(std::move(source)) {
  if (!icount_.count) throw std::invalid_argument("VirtualClock: no instruction-count source");
  if (icount_.shift > kMaxIcountShift) throw std::invalid_argument("VirtualClock: shift out of range");
}

uint64_t VirtualClock::host_ns() const {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

uint64_t VirtualClock::now_ns() const {
  if (icount_.count) return bias_ns_ + (icount_.count() << icount_.shift);
  return paused_ ? paused_at_ : host_ns() - offset_ns_;
}

void VirtualClock::pause() {
  if (paused_) return;
  if (!icount_.count) paused_at_ = now_ns();
  paused_ = true;
}

void VirtualClock::resume() {
  if (!paused_) return;
  if (!icount_.count) offset_ns_ = host_ns() - paused_at_;
  paused_ = false;
}

uint64_t VirtualClock::insns_until(uint64_t when_ns) const {
  const uint64_t now = now_ns();
  if (when_ns <= now) return 0;
  const uint64_t gap = when_ns - now, unit_mask = (uint64_t(1) << icount_.shift) - 1;
  return (gap >> icount_.shift) + ((gap & unit_mask) != 0);
}

void VirtualClock::warp_to(uint64_t when_ns) {
  if (!icount_.count) return;
  const uint64_t now = now_ns();
  if (when_ns > now) bias_ns_ += when_ns - now;
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
