// Near control transfers: JMP (relative, register, memory), Jcc, CALL, RET (with optional imm16
// stack release), LOOP/LOOPE/LOOPNE and JCXZ/JECXZ. Targets are truncated to 16 bits under a
// 16-bit operand size and checked against the CS limit (#GP(0)) before anything is committed;
// far forms go to the system code (bind_far_branch).
#include "cpu/ops_common.h"
#include "cpu/ops_int.h"
#include "cpu/ops_sys.h"

namespace bt86 {

namespace {

// Branch target of a relative operand.
inline uint32_t relative_target(const Cpu& c, const Insn& i) { return c.next_eip + i.imm; }

template <class T> void jmp_rel(Cpu& c, const Insn& i) { c.next_eip = near_target(c, relative_target(c, i), sizeof(T)); }

template <class T, Kind S> void jmp_indirect(Cpu& c, const Insn& i) {
  c.next_eip = near_target(c, load<T, S>(c, i, 0), sizeof(T));
}

template <unsigned CC, class T> void jcc(Cpu& c, const Insn& i) {
  if (cond<CC>(c.s.eflags)) c.next_eip = near_target(c, relative_target(c, i), sizeof(T));
}

// CALL pushes the return address (a faulting push leaves everything intact), then jumps.
template <class T> inline void call_to(Cpu& c, uint32_t target) {
  target = near_target(c, target, sizeof(T));
  c.push<T>(T(c.next_eip));
  c.next_eip = target;
}

template <class T> void call_rel(Cpu& c, const Insn& i) { call_to<T>(c, relative_target(c, i)); }
template <class T, Kind S> void call_indirect(Cpu& c, const Insn& i) { call_to<T>(c, load<T, S>(c, i, 0)); }

// RET and RET imm16 (imm is 0 for the plain form).
template <class T> void ret(Cpu& c, const Insn& i) {
  const uint32_t sp = c.s.r[ESP] & c.sp_mask();
  const uint32_t target = near_target(c, c.read<T>(SS, sp), sizeof(T));
  c.set_esp(sp + sizeof(T) + (i.imm & 0xFFFF));
  c.next_eip = target;
}

enum class LoopKind : uint8_t { Loop, LoopE, LoopNE, JumpIfCountZero };

// A is the count register width (CX or ECX, from the address size), T the operand size.
template <LoopKind K, class A, class T> void loop(Cpu& c, const Insn& i) {
  A& count = reg<A>(c, ECX);
  bool taken;
  A next = count;
  if constexpr (K == LoopKind::JumpIfCountZero) {
    taken = count == 0;
  } else {
    next = A(count - 1);
    taken = next != 0;
    if constexpr (K == LoopKind::LoopE) taken = taken && c.flag(fl::ZF);
    if constexpr (K == LoopKind::LoopNE) taken = taken && !c.flag(fl::ZF);
  }
  if (taken) c.next_eip = near_target(c, relative_target(c, i), sizeof(T));
  count = next;
}

bool is_far(const ZydisDecodedInstruction& zi) { return zi.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR; }

// Relative form (T only) or indirect register/memory form (T and kind).
template <class MakeRel, class MakeIndirect>
Handler bind_near(Insn& i, MakeRel&& make_rel, MakeIndirect&& make_indirect) {
  if (i.nops != 1) return nullptr;
  return by_wide_size(i.osize, [&]<class T>() -> Handler {
    if (i.op[0].kind == OpKind::Rel) return make_rel.template operator()<T>();
    return by_rm(i.op[0], [&]<Kind S>() { return make_indirect.template operator()<T, S>(); });
  });
}

}  // namespace

Handler bind_jmp(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops) {
  if (is_far(zi)) return bind_far_branch(i, zi, ops);
  return bind_near(i, []<class T>() -> Handler { return &jmp_rel<T>; },
                   []<class T, Kind S>() -> Handler { return &jmp_indirect<T, S>; });
}

Handler bind_call(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops) {
  if (is_far(zi)) return bind_far_branch(i, zi, ops);
  return bind_near(i, []<class T>() -> Handler { return &call_rel<T>; },
                   []<class T, Kind S>() -> Handler { return &call_indirect<T, S>; });
}

Handler bind_ret(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops) {
  if (is_far(zi)) return bind_far_branch(i, zi, ops);
  if (i.nops > 1 || (i.nops == 1 && i.op[0].kind != OpKind::Imm)) return nullptr;
  if (i.nops == 0) i.imm = 0;
  return by_wide_size(i.osize, []<class T>() -> Handler { return &ret<T>; });
}

Handler bind_jcc(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (i.nops != 1 || i.op[0].kind != OpKind::Rel) return nullptr;
  return by_cond(zi.opcode, [&]<unsigned CC>() {
    return by_wide_size(i.osize, []<class T>() -> Handler { return &jcc<CC, T>; });
  });
}

Handler bind_loop(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (i.nops != 1 || i.op[0].kind != OpKind::Rel) return nullptr;
  auto make = [&]<LoopKind K>() {
    return by_wide_size(i.asize, [&]<class A>() {
      return by_wide_size(i.osize, []<class T>() -> Handler { return &loop<K, A, T>; });
    });
  };
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_LOOP: return make.template operator()<LoopKind::Loop>();
    case ZYDIS_MNEMONIC_LOOPE: return make.template operator()<LoopKind::LoopE>();
    case ZYDIS_MNEMONIC_LOOPNE: return make.template operator()<LoopKind::LoopNE>();
    case ZYDIS_MNEMONIC_JCXZ:
    case ZYDIS_MNEMONIC_JECXZ: return make.template operator()<LoopKind::JumpIfCountZero>();
    default: return nullptr;
  }
}

}  // namespace bt86
