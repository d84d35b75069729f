// Software interrupts and processor-control instructions: INT n, INT3, INTO, INT1 (ICEBP),
// HLT (CPL 0 only) and the always-undefined UD0/UD1/UD2.
#include "cpu/cpu.h"
#include "cpu/ops_sys.h"

namespace bt86 {

namespace {

// Delivers `vector` as the instruction's own event, returning after the instruction (traps),
// and continues at the handler.
void raise_software(Cpu& cpu, uint8_t vector, IntKind kind) {
  cpu.deliver(vector, kind, kNoErrorCode, cpu.next_eip);
  cpu.next_eip = cpu.s.eip;
  cpu.end_block();
}

void op_int_n(Cpu& cpu, const Insn& i) { raise_software(cpu, uint8_t(i.imm), IntKind::Software); }
void op_int3(Cpu& cpu, const Insn&) { raise_software(cpu, vec::BP, IntKind::Int3); }
void op_int1(Cpu& cpu, const Insn&) { raise_software(cpu, vec::DB, IntKind::Icebp); }
void op_into(Cpu& cpu, const Insn&) {
  if (cpu.flag(fl::OF)) raise_software(cpu, vec::OF, IntKind::Into);
}

void op_hlt(Cpu& cpu, const Insn&) {
  if (cpu.s.protected_mode() && cpu.s.cpl != 0) guest_fault(vec::GP, 0);  // V86 runs at CPL 3
  cpu.set_halted(true);
  cpu.end_block();
}

void op_undefined(Cpu&, const Insn&) { guest_fault(vec::UD); }

}  // namespace

Handler bind_int(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_INT: return op_int_n;
    case ZYDIS_MNEMONIC_INT3: return op_int3;
    case ZYDIS_MNEMONIC_INTO: return op_into;
    case ZYDIS_MNEMONIC_INT1: return op_int1;
    default: return nullptr;
  }
}
Handler bind_hlt(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_hlt; }
Handler bind_undefined(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_undefined; }

}  // namespace bt86
