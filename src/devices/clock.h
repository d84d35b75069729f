// Virtual time and timer events. Guest time runs with host time (so `sleep 2` in a guest takes
// 2 host seconds) while the machine runs and stands still while it is paused. Devices schedule
// callbacks at virtual nanosecond deadlines; the machine loop calls run_due() between CPU time
// slices and asks next_deadline() how long the CPU may run.
#pragma once
#include <cstdint>
#include <functional>
#include <map>

namespace bt86 {

class VirtualClock {
 public:
  using TimerId = uint64_t;
  VirtualClock();
  uint64_t now_ns() const;                 // virtual nanoseconds since machine start
  void pause();
  void resume();
  bool paused() const { return paused_; }
  TimerId schedule_at(uint64_t when_ns, std::function<void()> cb);
  void cancel(TimerId id);
  uint64_t next_deadline() const;          // UINT64_MAX when no timer is pending
  void run_due();                          // fire every timer whose deadline has passed
  // Timestamp counter at a fixed nominal frequency derived from virtual time.
  static constexpr uint64_t kTscHz = 1'000'000'000ull;
  uint64_t tsc() const { return now_ns(); }
 private:
  uint64_t host_ns() const;
  uint64_t offset_ns_ = 0;   // virtual = host - offset while running
  uint64_t paused_at_ = 0;
  bool paused_ = false;
  TimerId next_id_ = 1;
  std::multimap<uint64_t, std::pair<TimerId, std::function<void()>>> timers_;
};

}  // namespace bt86
