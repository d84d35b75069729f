// EFLAGS under protection rules: PUSHF/PUSHFD, POPF/POPFD (which bits may change depends on CPL,
// IOPL and VM), CLI/STI (IOPL checks; STI's one-instruction interrupt shadow), and
// Cpu::write_eflags, the one place EFLAGS is replaced wholesale (POPF, IRET, task switch).
// Virtual-8086 mode extensions (CR4.VME/PVI) are not implemented: with IOPL < 3 these
// instructions fault in V86 mode, for the monitor to emulate.
#include "cpu/cpu.h"
#include "cpu/ops_sys.h"

namespace bt86 {

// Flags that exist on this CPU; the rest of EFLAGS reads as 0 (bit 1 as 1).
constexpr uint32_t kImplementedFlags = fl::ARITH | fl::TF | fl::IF | fl::DF | fl::IOPL | fl::NT | fl::RF |
                                       fl::VM | fl::AC | fl::VIF | fl::VIP | fl::ID;

void Cpu::write_eflags(uint32_t value, uint32_t mask) {
  const uint32_t old = s.eflags;
  s.eflags = (((old & ~mask) | (value & mask)) & kImplementedFlags) | fl::FIXED1;
  if ((old ^ s.eflags) & fl::VM)
    for (unsigned idx = 0; idx < 6; ++idx) mmu.update_seg_cache(idx);  // V86 segments are unchecked
  update_align_check();
  end_block();
}

namespace {

// V86 mode with IOPL < 3: PUSHF/POPF/CLI/STI fault to the monitor.
void check_v86_iopl(const Cpu& cpu) {
  if (cpu.s.v86() && cpu.s.iopl() < 3) guest_fault(vec::GP, 0);
}
// May this code change IF (CLI, STI, POPF)?
bool may_change_if(const Cpu& cpu) {
  if (!cpu.s.protected_mode()) return true;
  return cpu.s.v86() ? cpu.s.iopl() == 3 : cpu.s.cpl <= cpu.s.iopl();
}

template <unsigned Size> void op_pushf(Cpu& cpu, const Insn&) {
  check_v86_iopl(cpu);
  const uint32_t image = cpu.s.eflags & ~(fl::VM | fl::RF);  // the pushed image never shows VM/RF
  if constexpr (Size == 4) cpu.push<uint32_t>(image);
  else cpu.push<uint16_t>(uint16_t(image));
}

template <unsigned Size> void op_popf(Cpu& cpu, const Insn&) {
  check_v86_iopl(cpu);
  uint32_t value = Size == 4 ? cpu.pop<uint32_t>() : cpu.pop<uint16_t>();
  // VM, VIF and VIP never change through POPF; RF is cleared.
  uint32_t mask = fl::ARITH | fl::TF | fl::DF | fl::NT | fl::RF | fl::AC | fl::ID;
  if (may_change_if(cpu)) mask |= fl::IF;
  if (!cpu.s.protected_mode() || (!cpu.s.v86() && cpu.s.cpl == 0)) mask |= fl::IOPL;
  if (Size == 2) mask &= 0xFFFF;
  cpu.write_eflags(value & ~fl::RF, mask);
}

void op_cli(Cpu& cpu, const Insn&) {
  if (!may_change_if(cpu)) guest_fault(vec::GP, 0);
  cpu.set_flag(fl::IF, false);
}

void op_sti(Cpu& cpu, const Insn&) {
  if (!may_change_if(cpu)) guest_fault(vec::GP, 0);
  if (!cpu.flag(fl::IF)) {
    cpu.set_flag(fl::IF, true);
    cpu.inhibit_interrupts_once();  // interrupts are recognised after the next instruction
  }
}

}  // namespace

Handler bind_pushf(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return i.osize == 4 ? op_pushf<4> : op_pushf<2>;
}
Handler bind_popf(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return i.osize == 4 ? op_popf<4> : op_popf<2>;
}
Handler bind_cli(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_cli; }
Handler bind_sti(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_sti; }

}  // namespace bt86
