// Stack frames of system control transfers (interrupts, call gates, far RET, IRET).
// StackPusher writes a frame onto a stack that need not be the current one (the inner stack of a
// privilege change), checking the whole frame against the segment limits before writing a byte;
// StackPopper reads the current stack without committing ESP. Both let a handler validate
// everything before it changes architectural state.
#pragma once
#include <cstdint>
#include "cpu/cpu.h"

namespace bt86 {

// True if the `size` bytes at `off` lie within the segment's limits (expand-up or expand-down).
inline bool within_limit(const Segment& sg, uint32_t off, uint32_t size) {
  uint32_t last = off + size - 1;
  if (last < off) return false;
  if (sg.expand_down()) return off > sg.limit && last <= (sg.db() ? 0xFFFFFFFFu : 0xFFFFu);
  return last <= sg.limit;
}

class StackPusher {
 public:
  // `ss`/`sp`: the stack to push onto; faults raise #SS(fault_error). Page checks use the
  // stack's own privilege (SS.DPL), i.e. the CPL the frame is built for.
  StackPusher(Cpu& cpu, const Segment& ss, uint32_t sp, int32_t fault_error)
      : cpu_(cpu), ss_(ss), mask_(ss.db() ? 0xFFFFFFFFu : 0xFFFFu), sp_(sp & mask_),
        user_(ss.dpl() == 3), fault_error_(fault_error) {}

  // Faults unless a frame of `bytes` bytes fits below the stack pointer.
  void reserve(uint32_t bytes) const {
    // A 16-bit SP of 0 is the top of a full 64 KiB stack.
    uint64_t top = (sp_ == 0 && mask_ == 0xFFFFu) ? 0x10000u : sp_;
    if (bytes > top || !within_limit(ss_, uint32_t(top - bytes), bytes)) fault();
  }
  void push(uint32_t value, unsigned size) {
    sp_ = (sp_ - size) & mask_;
    if (!within_limit(ss_, sp_, size)) fault();
    if (size == 4) cpu_.write_lin<uint32_t>(ss_.base + sp_, value, user_);
    else cpu_.write_lin<uint16_t>(ss_.base + sp_, uint16_t(value), user_);
  }
  uint32_t sp() const { return sp_; }

 private:
  [[noreturn]] void fault() const { guest_fault(vec::SS, fault_error_); }
  Cpu& cpu_;
  Segment ss_;
  uint32_t mask_, sp_;
  bool user_;
  int32_t fault_error_;
};

class StackPopper {
 public:
  explicit StackPopper(Cpu& cpu) : cpu_(cpu), mask_(cpu.sp_mask()), sp_(cpu.s.r[ESP] & mask_) {}
  uint32_t pop(unsigned size) {
    uint32_t v = size == 4 ? cpu_.read<uint32_t>(SS, sp_) : cpu_.read<uint16_t>(SS, sp_);
    sp_ = (sp_ + size) & mask_;
    return v;
  }
  void skip(uint32_t bytes) { sp_ = (sp_ + bytes) & mask_; }
  uint32_t sp() const { return sp_; }

 private:
  Cpu& cpu_;
  uint32_t mask_, sp_;
};

}  // namespace bt86
