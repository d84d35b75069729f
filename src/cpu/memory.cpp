// Generic operand access for the interpreter's handlers (register, memory through the guest MMU,
// immediate, segment register).
#include "cpu/cpu.h"

namespace bt86 {

// ---- generic operands ----------------------------------------------------------------------------------

uint32_t Cpu::get_op(const Insn& i, unsigned n) {
  const Operand& o = i.op[n];
  switch (o.kind) {
    case OpKind::Reg: return get_reg(o.reg, o.size);
    case OpKind::Mem:
      switch (o.size) {
        case 1: return read<uint8_t>(i.seg, ea(i));
        case 2: return read<uint16_t>(i.seg, ea(i));
        default: return read<uint32_t>(i.seg, ea(i));
      }
    case OpKind::Imm: {
      uint32_t v = n == 0 || i.op[0].kind != OpKind::Imm ? i.imm : i.imm2;
      return o.size >= 4 ? v : v & ((1u << (8 * o.size)) - 1);
    }
    case OpKind::Rel: return i.imm;
    case OpKind::Seg: return s.seg[o.reg].sel;
    default: guest_fault(vec::UD);
  }
}

void Cpu::set_op(const Insn& i, unsigned n, uint32_t v) {
  const Operand& o = i.op[n];
  switch (o.kind) {
    case OpKind::Reg: set_reg(o.reg, o.size, v); return;
    case OpKind::Mem:
      switch (o.size) {
        case 1: write<uint8_t>(i.seg, ea(i), uint8_t(v)); return;
        case 2: write<uint16_t>(i.seg, ea(i), uint16_t(v)); return;
        default: write<uint32_t>(i.seg, ea(i), v); return;
      }
    default: guest_fault(vec::UD);
  }
}

}  // namespace bt86
