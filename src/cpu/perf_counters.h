// The P6 performance-monitoring counters: PerfEvtSel0/1 (MSRs 0x186/0x187) select what
// PerfCtr0/1 (MSRs 0xC1/0xC2, 40 bits, read by RDMSR and RDPMC) count. Implemented events:
// 0xC0 INST_RETIRED (the interpreter's retired-instruction count) and 0x79 CPU_CLK_UNHALTED (TSC
// ticks while the CPU is not halted). Any other event leaves its counter unchanged; selecting
// one logs "unimplemented performance event 0xNN" once per event.
//
// Counting is done lazily: the counters are brought up to date ("synced") whenever their
// configuration, the CPL or the halt state changes, and when they are read. Between syncs
// everything counted is attributed to the context of the last sync.
// Approximation: instructions are retired in blocks (CpuStats::insns is updated at the end of
// each block), so at a CPL change the instructions of the block that changed it before the
// change are attributed to the new CPL's USR/OS setting; RDPMC and RDMSR themselves see the
// exact count (the caller passes the in-block offset).
#pragma once
#include <cstdint>

namespace bt86 {

class Cpu;

class PerfCounters {
 public:
  static constexpr uint32_t kMsrCtr0 = 0xC1, kMsrCtr1 = 0xC2;
  static constexpr uint32_t kMsrEvtSel0 = 0x186, kMsrEvtSel1 = 0x187;

  // MSR access; false means #GP(0) (unknown index or reserved bits). `retired` is the exact
  // number of instructions retired before the accessing instruction.
  bool read_msr(const Cpu& cpu, uint64_t retired, uint32_t index, uint64_t* value);
  bool write_msr(const Cpu& cpu, uint64_t retired, uint32_t index, uint64_t value);
  uint64_t read_counter(const Cpu& cpu, uint64_t retired, unsigned n);  // RDPMC, n = 0 or 1

  // The counting context changed (CPL, halt state): bring the counters up to date first.
  // Cheap when no counter is enabled, and when the change cannot matter: a CPL change while every
  // counter counts alike in user and kernel mode (both or neither of USR/OS; Linux's NMI
  // watchdog counts cycles in both), with the halt state as at the last sync.
  void context_changed(const Cpu& cpu, uint64_t retired, bool halted) {
    if (enabled_ && (cpl_sensitive_ || halted != halted_at_)) sync(cpu, retired);
  }

 private:
  void sync(const Cpu& cpu, uint64_t retired);
  uint64_t evtsel_[2] = {};
  uint64_t ctr_[2] = {};       // 40-bit counts as of the last sync
  uint64_t insns_at_ = 0;      // retired-instruction count at the last sync
  uint64_t tsc_at_ = 0;        // TSC at the last sync
  uint8_t cpl_at_ = 0;         // context of the last sync
  bool halted_at_ = false;
  bool enabled_ = false;       // PerfEvtSel0.EN
  bool cpl_sensitive_ = false; // a selector has USR without OS or OS without USR
  uint8_t logged_[32] = {};    // bit per event already reported as unimplemented
};

}  // namespace bt86
