// Shifts and rotates (ROL ROR RCL RCR SHL/SAL SHR SAR by 1, imm8 or CL) and the double shifts
// SHLD/SHRD. The count is masked to 5 bits; a masked count of 0 changes nothing (the operand is
// still read, so a faulting memory operand faults). Everything else — RCL/RCR modulo 9/17,
// OF for counts above 1 (ROL/ROR by an immediate: the host's immediate form, alu_host.h), SHLD/SHRD
// of 16-bit operands by more than 16 — is the host's result.
// (Zydis decodes the SAL encodings as SHL, so there is no separate SAL row.)
#include "cpu/alu_host.h"
#include "cpu/ops_common.h"
#include "cpu/ops_int.h"

namespace bt86 {

using host::DoubleShiftOp;
using host::ShiftOp;

namespace {

// The shift count operand n: CL or an immediate (including the implicit 1 of D0/D1).
template <Kind C> inline uint8_t shift_count(Cpu& c, const Insn& i, unsigned n) {
  return load<uint8_t, C>(c, i, n) & 31;
}

template <ShiftOp OP, class T, Kind D, Kind C> void shift(Cpu& c, const Insn& i) {
  uint8_t count = shift_count<C>(c, i, 1);
  if (count == 0) {
    if constexpr (D == Kind::Mem) c.read_rmw<T>(i.seg, c.ea(i));  // still a write-checked access
    return;
  }
  uint32_t f = c.s.eflags;
  if constexpr (C == Kind::Imm && (OP == ShiftOp::Rol || OP == ShiftOp::Ror))
    modify<T, D>(c, i, [&](T d) { return host::rotate_imm<OP>(d, count, f); });  // (alu_host.h)
  else
    modify<T, D>(c, i, [&](T d) { return host::shift<OP>(d, count, f); });
  c.set_arith_flags(f);
}

template <DoubleShiftOp OP, class T, Kind D, Kind C> void double_shift(Cpu& c, const Insn& i) {
  uint8_t count = shift_count<C>(c, i, 2);
  if (count == 0) {
    if constexpr (D == Kind::Mem) c.read_rmw<T>(i.seg, c.ea(i));  // still a write-checked access
    return;
  }
  T s = reg<T>(c, i.op[1].reg);
  uint32_t f = c.s.eflags;
  modify<T, D>(c, i, [&](T d) { return host::double_shift<OP>(d, s, count, f); });
  c.set_arith_flags(f);
}

// Count operands are CL (a register) or an immediate.
template <class Make> inline Handler by_count(const Operand& o, Make&& make) {
  switch (o.kind) {
    case OpKind::Reg: return make.template operator()<Kind::Reg>();
    case OpKind::Imm: return make.template operator()<Kind::Imm>();
    default: return nullptr;
  }
}

}  // namespace

Handler bind_shift(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  ShiftOp op;
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_ROL: op = ShiftOp::Rol; break;
    case ZYDIS_MNEMONIC_ROR: op = ShiftOp::Ror; break;
    case ZYDIS_MNEMONIC_RCL: op = ShiftOp::Rcl; break;
    case ZYDIS_MNEMONIC_RCR: op = ShiftOp::Rcr; break;
    case ZYDIS_MNEMONIC_SHL: op = ShiftOp::Shl; break;
    case ZYDIS_MNEMONIC_SHR: op = ShiftOp::Shr; break;
    case ZYDIS_MNEMONIC_SAR: op = ShiftOp::Sar; break;
    default: return nullptr;
  }
  if (i.nops != 2) return nullptr;
  return by_value<ShiftOp::Rol, ShiftOp::Ror, ShiftOp::Rcl, ShiftOp::Rcr, ShiftOp::Shl, ShiftOp::Shr,
                  ShiftOp::Sar>(op, [&]<ShiftOp OP>() {
    return by_size(i.op[0].size, [&]<class T>() {
      return by_rm(i.op[0], [&]<Kind D>() {
        return by_count(i.op[1], [&]<Kind C>() -> Handler { return &shift<OP, T, D, C>; });
      });
    });
  });
}

Handler bind_double_shift(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (i.nops != 3 || i.op[1].kind != OpKind::Reg) return nullptr;
  auto make = [&]<DoubleShiftOp OP>() {
    return by_wide_size(i.op[0].size, [&]<class T>() {
      return by_rm(i.op[0], [&]<Kind D>() {
        return by_count(i.op[2], [&]<Kind C>() -> Handler { return &double_shift<OP, T, D, C>; });
      });
    });
  };
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_SHLD: return make.template operator()<DoubleShiftOp::Shld>();
    case ZYDIS_MNEMONIC_SHRD: return make.template operator()<DoubleShiftOp::Shrd>();
    default: return nullptr;
  }
}

}  // namespace bt86
