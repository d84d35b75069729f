// The CPU's engine-independent parts: reset state, segment-register and CPL installation, and
// the run-loop services every engine uses (interrupt checks at instruction boundaries, delivery
// of caught and pending guest faults).
#include "cpu/cpu.h"
#include "cpu/cpu_trace.h"
#include "cpu/fpu_host.h"

namespace bt86 {

Cpu::Cpu(PhysMem& m, IoBus& i, VirtualClock& c)
    : mem(m), mmu(s, m), io(i), clock(c) {
  mmu.breakpoints = &bp_;
  reset();
}

Cpu::~Cpu() = default;

void Cpu::reset() {
  sync_fpu();  // (leaves the host FPU initialised; the state itself is replaced below)
  CpuState fresh;
  fresh.icount = s.icount;  // the instruction counter runs on across resets
  s = fresh;
  s.eip = 0xFFF0;
  s.r[EDX] = 0x0652;  // family 6, model 5, stepping 2 (Pentium II class), as CPUID leaf 1 EAX
  s.cr0 = cr0::ET | cr0::CD | cr0::NW;
  for (unsigned k = 0; k < 6; ++k) s.seg[k] = Segment{0, 0, 0xFFFF, kAttrDataRW};
  s.seg[CS] = Segment{0xF000, 0xFFFF0000u, 0xFFFF, kAttrCodeRX};
  s.ldtr = Segment{0, 0, 0xFFFF, 0x8200};
  s.tr = Segment{0, 0, 0xFFFF, 0x8B00};
  s.fpu.cw = 0x0040;
  s.fpu.tw = 0x5555;
  fault_depth_ = 0;
  perf = PerfCounters{};
  db_pending_ = db_held_ = 0;
  db_shadow_ = false;
  debug_regs_changed();  // also flushes the TLB
}

void Cpu::sync_fpu_slow() {
  x87_save_resident(s.fpu);
  s.jit_x87_resident = 0;
}

void Cpu::set_seg(unsigned idx, const Segment& sg) {
  const bool was_flat = s.seg[idx].flat();
  s.seg[idx] = sg;
  mmu.update_seg_cache(idx);
  // CS and SS decide code and stack size; CS, SS, DS and ES together whether the block mode is
  // flat (block.h).
  if (idx == CS || idx == SS || (idx != FS && idx != GS && was_flat != sg.flat())) end_block();
}

void Cpu::load_seg_real(unsigned idx, uint16_t sel) {
  Segment sg = s.seg[idx];
  sg.sel = sel;
  sg.base = uint32_t(sel) << 4;
  if (s.v86()) {
    // V86 mode: every segment is a 64 KiB, present, DPL-3 read/write data segment.
    sg.limit = 0xFFFF;
    sg.attr = (idx == CS ? kAttrCodeRX : kAttrDataRW) | (3u << 13);
  }
  set_seg(idx, sg);
}

void Cpu::set_cpl(uint8_t cpl) {
  s.cpl = cpl & 3;
  update_align_check();
  perf.context_changed(*this, s.icount, halted());  // USR/OS counting
  end_block();
}

// ---- run loop -------------------------------------------------------------------------------------

bool Cpu::check_interrupts() {
  const bool pending = (s.eflags & fl::IF) && intc && intc->intr_pending();
  if (s.attention & attn::IRQ_SHADOW) {
    // The instruction after STI / MOV SS / POP SS runs first; if an interrupt is waiting, run
    // just that one instruction so the interrupt is taken right after it (sti; nop; cli opens
    // a window, as on hardware).
    s.attention &= ~attn::IRQ_SHADOW;
    if (pending) s.attention |= attn::STEP;
    return false;
  }
  if (!pending) return false;
  set_halted(false);
  uint8_t v = intc->acknowledge();
  ++stats.interrupts;
  if (trace.intr) trace_interrupt(*this, v, IntKind::External, kNoErrorCode);
  try {
    deliver(v, IntKind::External, kNoErrorCode, s.eip);
  } catch (const GuestFault& f) {
    deliver_fault(f);
  }
  return true;
}

void Cpu::deliver_pending_fault() {
  s.attention &= ~attn::FAULT;
  deliver_fault(GuestFault{s.fault_vector, s.fault_error});
}

void Cpu::deliver_fault(const GuestFault& f) {
  ++stats.exceptions;
  s.attention &= ~attn::TRANSIENT;
  if (stop_on_exception) {
    has_last_exception = true;
    last_exception = f;
    s.attention |= attn::STOP;
    return;
  }
  if (trace.intr) trace_interrupt(*this, f.vector, IntKind::Exception, f.error);
  try {
    deliver(f.vector, IntKind::Exception, f.error, s.eip);
  } catch (const GuestFault& again) {
    // deliver() handles #DF escalation itself; anything escaping it is unrecoverable.
    std::fprintf(stderr, "bt86: exception %u escaped delivery of exception %u: triple fault\n",
                 again.vector, f.vector);
    request_shutdown();
  }
}

}  // namespace bt86
