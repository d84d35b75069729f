// P6 performance counters: MSR access, RDPMC reads and the lazy counting (see perf_counters.h).
// Not modelled: the PerfEvtSel INT bit (overflow interrupts need a local APIC, which bt86 does
// not have yet), the edge/invert/counter-mask fields and the unit mask (neither implemented event
// uses them).
#include "cpu/perf_counters.h"
#include <cstdio>
#include "cpu/cpu.h"

namespace bt86 {

namespace {
constexpr uint64_t kCounterMask = (uint64_t(1) << 40) - 1;
constexpr uint64_t kUsr = 1u << 16, kOs = 1u << 17, kEnable = 1u << 22;
constexpr uint8_t kEventInstRetired = 0xC0, kEventClkUnhalted = 0x79;

bool implemented(uint8_t event) { return event == kEventInstRetired || event == kEventClkUnhalted; }
// Does a counter with selector `sel` count at privilege `cpl`? (USR = CPL 1-3, OS = CPL 0.)
bool counts_at(uint64_t sel, uint8_t cpl) { return sel & (cpl == 0 ? kOs : kUsr); }
}  // namespace

void PerfCounters::sync(const Cpu& cpu, uint64_t retired) {
  const uint64_t tsc = cpu.tsc();
  if (enabled_) {
    // `retired` may lag a previous exact reading within the same block (see the header).
    const uint64_t insns = retired > insns_at_ ? retired - insns_at_ : 0;
    const uint64_t clocks = halted_at_ ? 0 : tsc - tsc_at_;
    for (unsigned n = 0; n < 2; ++n) {
      if (!counts_at(evtsel_[n], cpl_at_)) continue;
      const uint8_t event = uint8_t(evtsel_[n]);
      if (event == kEventInstRetired) ctr_[n] = (ctr_[n] + insns) & kCounterMask;
      else if (event == kEventClkUnhalted) ctr_[n] = (ctr_[n] + clocks) & kCounterMask;
    }
  }
  if (retired > insns_at_) insns_at_ = retired;
  tsc_at_ = tsc;
  cpl_at_ = cpu.s.cpl;
  halted_at_ = cpu.halted();
}

bool PerfCounters::read_msr(const Cpu& cpu, uint64_t retired, uint32_t index, uint64_t* value) {
  switch (index) {
    case kMsrCtr0: case kMsrCtr1: *value = read_counter(cpu, retired, index - kMsrCtr0); return true;
    case kMsrEvtSel0: case kMsrEvtSel1: *value = evtsel_[index - kMsrEvtSel0]; return true;
    default: return false;
  }
}

bool PerfCounters::write_msr(const Cpu& cpu, uint64_t retired, uint32_t index, uint64_t value) {
  switch (index) {
    case kMsrCtr0: case kMsrCtr1:
      sync(cpu, retired);
      // Only the low 32 bits are written; bits 32-39 take the sign of bit 31.
      ctr_[index - kMsrCtr0] = uint64_t(int64_t(int32_t(uint32_t(value)))) & kCounterMask;
      return true;
    case kMsrEvtSel0: case kMsrEvtSel1: {
      if (value >> 32) return false;  // reserved
      sync(cpu, retired);
      evtsel_[index - kMsrEvtSel0] = value;
      enabled_ = evtsel_[0] & kEnable;
      cpl_sensitive_ = false;
      for (uint64_t sel : evtsel_) cpl_sensitive_ |= !(sel & kUsr) != !(sel & kOs);
      if (!enabled_) return true;
      for (uint64_t sel : evtsel_) {
        const uint8_t event = uint8_t(sel);
        if (!(sel & (kUsr | kOs)) || implemented(event) || (logged_[event >> 3] >> (event & 7)) & 1) continue;
        logged_[event >> 3] |= uint8_t(1u << (event & 7));
        std::fprintf(stderr, "bt86: unimplemented performance event 0x%02X (its counter stays unchanged)\n",
                     event);
      }
      return true;
    }
    default: return false;
  }
}

uint64_t PerfCounters::read_counter(const Cpu& cpu, uint64_t retired, unsigned n) {
  sync(cpu, retired);
  return ctr_[n & 1];
}

}  // namespace bt86
