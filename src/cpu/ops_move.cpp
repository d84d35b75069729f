// Data movement without arithmetic: MOV (GPR/memory/immediate/moffs; segment, control and debug
// register forms go to the system binder), MOVZX/MOVSX, LEA, CMOVcc, SETcc, the accumulator sign
// extensions CBW/CWDE/CWD/CDQ and XLAT.
#include "cpu/ops_common.h"
#include "cpu/ops_int.h"
#include "cpu/ops_sys.h"

namespace bt86 {

namespace {

template <class T, Kind D, Kind S> void mov(Cpu& c, const Insn& i) { store<T, D>(c, i, load<T, S>(c, i, 1)); }

// MOVZX/MOVSX: destination register of type TD from a register/memory source of type TS.
template <class TD, class TS, Kind S, bool SIGN_EXTEND> void mov_extend(Cpu& c, const Insn& i) {
  TS v = load<TS, S>(c, i, 1);
  if constexpr (SIGN_EXTEND) reg<TD>(c, i.op[0].reg) = TD(std::make_signed_t<TD>(std::make_signed_t<TS>(v)));
  else reg<TD>(c, i.op[0].reg) = TD(v);
}

template <class T> void lea(Cpu& c, const Insn& i) { reg<T>(c, i.op[0].reg) = T(c.ea(i)); }

// CMOVcc reads its source even when the condition is false (so a bad address faults).
template <unsigned CC, class T, Kind S> void cmov(Cpu& c, const Insn& i) {
  T v = load<T, S>(c, i, 1);
  if (cond<CC>(c.s.eflags)) reg<T>(c, i.op[0].reg) = v;
}

template <unsigned CC, Kind D> void setcc(Cpu& c, const Insn& i) { store<uint8_t, D>(c, i, cond<CC>(c.s.eflags)); }

// CBW/CWDE: accumulator half sign-extended into the whole accumulator of type T.
template <class T> void sign_extend_accumulator(Cpu& c, const Insn&) {
  using Half = std::conditional_t<sizeof(T) == 2, int8_t, int16_t>;
  reg<T>(c, EAX) = T(std::make_signed_t<T>(Half(reg<T>(c, EAX))));
}

// CWD/CDQ: DX/EDX filled with the sign of AX/EAX.
template <class T> void sign_to_dx(Cpu& c, const Insn&) {
  reg<T>(c, EDX) = std::make_signed_t<T>(reg<T>(c, EAX)) < 0 ? T(~T(0)) : T(0);
}

// XLAT: AL = [seg:(E)BX + AL]; the address size picks BX or EBX.
void xlat(Cpu& c, const Insn& i) {
  uint32_t off = c.s.r[EBX] + c.s.r8(EAX);
  if (i.asize == 2) off &= 0xFFFF;
  c.s.r8(EAX) = c.read<uint8_t>(i.seg, off);
}

bool is_system_register(const Operand& o) {
  return o.kind == OpKind::Seg || o.kind == OpKind::Cr || o.kind == OpKind::Dr;
}

}  // namespace

Handler bind_mov(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops) {
  if (i.nops != 2) return nullptr;
  if (is_system_register(i.op[0]) || is_system_register(i.op[1])) return bind_mov_system(i, zi, ops);
  return by_size(i.op[0].size, [&]<class T>() {
    return by_rm(i.op[0], [&]<Kind D>() {
      return by_rmi(i.op[1], [&]<Kind S>() -> Handler {
        if constexpr (D == Kind::Mem && S == Kind::Mem) return nullptr;
        else return &mov<T, D, S>;
      });
    });
  });
}

Handler bind_movx(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  const bool sign = zi.mnemonic == ZYDIS_MNEMONIC_MOVSX;
  if (i.nops != 2 || i.op[0].kind != OpKind::Reg) return nullptr;
  return by_wide_size(i.op[0].size, [&]<class TD>() {
    return by_size(i.op[1].size, [&]<class TS>() {
      return by_rm(i.op[1], [&]<Kind S>() -> Handler {
        if constexpr (sizeof(TS) > sizeof(TD)) return nullptr;
        else return sign ? &mov_extend<TD, TS, S, true> : &mov_extend<TD, TS, S, false>;
      });
    });
  });
}

Handler bind_lea(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  if (i.nops != 2 || i.op[0].kind != OpKind::Reg || i.op[1].kind != OpKind::Mem) return nullptr;
  return by_wide_size(i.op[0].size, []<class T>() -> Handler { return &lea<T>; });
}

Handler bind_cmov(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (i.nops != 2 || i.op[0].kind != OpKind::Reg) return nullptr;
  return by_cond(zi.opcode, [&]<unsigned CC>() {
    return by_wide_size(i.op[0].size, [&]<class T>() {
      return by_rm(i.op[1], [&]<Kind S>() -> Handler { return &cmov<CC, T, S>; });
    });
  });
}

Handler bind_setcc(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (i.nops != 1 || i.op[0].size != 1) return nullptr;
  return by_cond(zi.opcode, [&]<unsigned CC>() {
    return by_rm(i.op[0], [&]<Kind D>() -> Handler { return &setcc<CC, D>; });
  });
}

Handler bind_convert(Insn&, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_CBW: return &sign_extend_accumulator<uint16_t>;
    case ZYDIS_MNEMONIC_CWDE: return &sign_extend_accumulator<uint32_t>;
    case ZYDIS_MNEMONIC_CWD: return &sign_to_dx<uint16_t>;
    case ZYDIS_MNEMONIC_CDQ: return &sign_to_dx<uint32_t>;
    default: return nullptr;
  }
}

Handler bind_xlat(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return &xlat; }

}  // namespace bt86
