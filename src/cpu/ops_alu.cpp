// Two-operand ALU instructions (ADD OR ADC SBB AND SUB XOR CMP TEST) and the one-operand INC DEC
// NEG NOT. Results and flags come from the same host instruction (alu_host.h).
#include "cpu/alu_host.h"
#include "cpu/ops_common.h"
#include "cpu/ops_int.h"

namespace bt86 {

using host::AluOp;
using host::UnaryOp;

namespace {

template <AluOp OP, class T, Kind D, Kind S> void alu(Cpu& c, const Insn& i) {
  T s = load<T, S>(c, i, 1);
  uint32_t f = c.s.eflags;
  if constexpr (OP == AluOp::Cmp || OP == AluOp::Test) {
    host::alu<OP>(load<T, D>(c, i, 0), s, f);
  } else {
    modify<T, D>(c, i, [&](T d) { return host::alu<OP>(d, s, f); });
  }
  c.set_arith_flags(f);
}

template <UnaryOp OP, class T, Kind D> void unary(Cpu& c, const Insn& i) {
  uint32_t f = c.s.eflags;
  modify<T, D>(c, i, [&](T d) { return host::unary<OP>(d, f); });
  c.set_arith_flags(f);
}

template <class T, Kind D> void op_not(Cpu& c, const Insn& i) {
  modify<T, D>(c, i, [](T d) { return T(~d); });
}

}  // namespace

Handler bind_alu(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  AluOp op;
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_ADD: op = AluOp::Add; break;
    case ZYDIS_MNEMONIC_OR: op = AluOp::Or; break;
    case ZYDIS_MNEMONIC_ADC: op = AluOp::Adc; break;
    case ZYDIS_MNEMONIC_SBB: op = AluOp::Sbb; break;
    case ZYDIS_MNEMONIC_AND: op = AluOp::And; break;
    case ZYDIS_MNEMONIC_SUB: op = AluOp::Sub; break;
    case ZYDIS_MNEMONIC_XOR: op = AluOp::Xor; break;
    case ZYDIS_MNEMONIC_CMP: op = AluOp::Cmp; break;
    case ZYDIS_MNEMONIC_TEST: op = AluOp::Test; break;
    default: return nullptr;
  }
  if (i.nops != 2) return nullptr;
  return by_value<AluOp::Add, AluOp::Or, AluOp::Adc, AluOp::Sbb, AluOp::And, AluOp::Sub, AluOp::Xor,
                  AluOp::Cmp, AluOp::Test>(op, [&]<AluOp OP>() {
    return by_size(i.op[0].size, [&]<class T>() {
      return by_rm(i.op[0], [&]<Kind D>() {
        return by_rmi(i.op[1], [&]<Kind S>() -> Handler { return &alu<OP, T, D, S>; });
      });
    });
  });
}

Handler bind_unary(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (i.nops != 1) return nullptr;
  auto make = [&]<UnaryOp OP>() {
    return by_size(i.op[0].size, [&]<class T>() {
      return by_rm(i.op[0], [&]<Kind D>() -> Handler { return &unary<OP, T, D>; });
    });
  };
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_INC: return make.template operator()<UnaryOp::Inc>();
    case ZYDIS_MNEMONIC_DEC: return make.template operator()<UnaryOp::Dec>();
    case ZYDIS_MNEMONIC_NEG: return make.template operator()<UnaryOp::Neg>();
    case ZYDIS_MNEMONIC_NOT:
      return by_size(i.op[0].size, [&]<class T>() {
        return by_rm(i.op[0], [&]<Kind D>() -> Handler { return &op_not<T, D>; });
      });
    default: return nullptr;
  }
}

}  // namespace bt86
