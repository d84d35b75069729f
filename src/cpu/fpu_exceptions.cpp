// x87 exception reporting and pointer bookkeeping (see fpu_exceptions.h).
#include "cpu/fpu_exceptions.h"
#include <atomic>
#include <cstdio>
#include "cpu/cpu.h"

namespace bt86 {

// A pending unmasked exception is reported at a waiting instruction. With CR0.NE the CPU raises
// #MF; without it the legacy path asserts FERR#, which the PC latches to IRQ13 (ferr_latch.h),
// and the instruction goes on as with IGNNE# asserted. A CPU with nothing on FERR# (bare unit
// test fixtures) says so once.
static void report_pending_exception(Cpu& cpu) {
  if (!cpu.s.fpu.exception_pending()) return;
  if (cpu.s.cr0 & cr0::NE) guest_fault(vec::MF);
  if (cpu.ferr.connected()) return cpu.ferr.raise();
  static std::atomic<bool> logged{false};
  if (!logged.exchange(true))
    std::fprintf(stderr, "x87: unmasked exception with CR0.NE=0 and FERR# not connected\n");
}

void x87_enter(Cpu& cpu, X87Sync sync) {
  cpu.sync_fpu();
  if (cpu.s.cr0 & (cr0::EM | cr0::TS)) guest_fault(vec::NM);
  if (sync == X87Sync::Wait) report_pending_exception(cpu);
}

void fwait_enter(Cpu& cpu) {
  cpu.sync_fpu();
  if ((cpu.s.cr0 & (cr0::MP | cr0::TS)) == (cr0::MP | cr0::TS)) guest_fault(vec::NM);
  report_pending_exception(cpu);
}

void x87_record_instruction(Cpu& cpu, const Insn& in) {
  FpuState& f = cpu.s.fpu;
  f.fip = cpu.s.eip;
  f.fcs = cpu.s.seg[CS].sel;
  f.fop = x87_fop(in.opcode, in.modrm);
}

void x87_record_operand(Cpu& cpu, const Insn& in, uint32_t data_off) {
  cpu.s.fpu.fdp = data_off;
  cpu.s.fpu.fds = cpu.s.seg[in.seg].sel;
}

}  // namespace bt86
