// Virtual time and timer events. Devices schedule callbacks at virtual nanosecond deadlines; the
// machine loop calls run_due() between CPU time slices and asks next_deadline() how long the CPU
// may run. Time comes from one of two sources:
//  * the host (the default): guest time runs with host time (so `sleep 2` in a guest takes 2
//    host seconds) while the machine runs and stands still while it is paused;
//  * the guest's instruction count (-icount shift=N): now = bias + (count << N), where count is
//    the number of guest instructions retired (the Machine passes the CPU's exact counter) and
//    bias is the idle time an idle CPU skipped with warp_to(). Time then depends on nothing but
//    the guest's own execution, which makes a run reproducible. It cannot run while paused, as
//    the count stands still then; pause()/resume() only keep the paused() flag.
#pragma once
#include <cstdint>
#include <functional>
#include <map>

namespace bt86 {

class VirtualClock {
 public:
  using TimerId = uint64_t;
  // The instruction-count source: the instructions retired so far (never decreasing; 0 at time
  // 0) and how many nanoseconds each one is worth, 2^shift.
  struct InstructionCount {
    std::function<uint64_t()> count;
    unsigned shift = 0;
  };
  static constexpr unsigned kMaxIcountShift = 10;  // 1024 ns per instruction, as QEMU's limit

  VirtualClock();                                  // host time
  explicit VirtualClock(InstructionCount source);  // instruction count; `count` is not called yet
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

  // ---- instruction-count mode ----
  bool counts_instructions() const { return static_cast<bool>(icount_.count); }
  unsigned icount_shift() const { return icount_.shift; }
  // Instructions still to retire until virtual time reaches `when_ns` (rounded up; 0 when it
  // has). Only meaningful when counts_instructions().
  uint64_t insns_until(uint64_t when_ns) const;
  // An idle CPU retires nothing: moves virtual time on to `when_ns` without instructions (as
  // QEMU's icount "warp"). Earlier times are ignored, so time never goes back. Instruction-count
  // mode only (host time moves by itself).
  void warp_to(uint64_t when_ns);

 private:
  uint64_t host_ns() const;
  InstructionCount icount_;  // no `count` function: host time
  uint64_t bias_ns_ = 0;     // instruction-count mode: idle time skipped by warp_to()
  uint64_t offset_ns_ = 0;   // host mode: virtual = host - offset while running
  uint64_t paused_at_ = 0;
  bool paused_ = false;
  TimerId next_id_ = 1;
  std::multimap<uint64_t, std::pair<TimerId, std::function<void()>>> timers_;
};

}  // namespace bt86
