// Exchanges: XCHG, XADD, CMPXCHG, CMPXCHG8B. With a memory operand the memory is written before
// any register or flag changes (a faulting write leaves the registers intact). CMPXCHG and
// CMPXCHG8B always write the destination, as the hardware does (the old value when the
// comparison fails). LOCK needs no extra work: the interpreter runs one guest CPU.
#include "cpu/alu_host.h"
#include "cpu/ops_common.h"
#include "cpu/ops_int.h"

namespace bt86 {

using host::AluOp;

namespace {

template <class T, Kind D> void xchg(Cpu& c, const Insn& i) {
  T& r = reg<T>(c, i.op[1].reg);
  T old;
  modify<T, D>(c, i, [&](T d) {
    old = d;
    return r;
  });
  r = old;
}

template <class T, Kind D> void xadd(Cpu& c, const Insn& i) {
  T& r = reg<T>(c, i.op[1].reg);
  const T s = r;
  T old;
  uint32_t f = c.s.eflags;
  modify<T, D>(c, i, [&](T d) {
    old = d;
    return host::alu<AluOp::Add>(d, s, f);
  });
  // When both operands are the same register the sum wins (TEMP = SRC + DEST; SRC = DEST; DEST = TEMP).
  if constexpr (D == Kind::Reg) {
    if (i.op[0].reg != i.op[1].reg) r = old;
  } else {
    r = old;
  }
  c.set_arith_flags(f);
}

template <class T, Kind D> void cmpxchg(Cpu& c, const Insn& i) {
  const T s = reg<T>(c, i.op[1].reg);
  T& acc = reg<T>(c, EAX);
  const T expected = acc;
  T old;
  uint32_t f = c.s.eflags;
  modify<T, D>(c, i, [&](T d) {
    old = d;
    host::alu<AluOp::Cmp>(expected, d, f);
    return d == expected ? s : d;
  });
  if (old != expected) acc = old;
  c.set_arith_flags(f);
}

void cmpxchg8b(Cpu& c, const Insn& i) {
  const uint32_t off = c.ea(i);
  const uint64_t m = c.read_rmw<uint64_t>(i.seg, off);
  const uint64_t expected = (uint64_t(c.s.r[EDX]) << 32) | c.s.r[EAX];
  const bool equal = m == expected;
  c.write<uint64_t>(i.seg, off, equal ? (uint64_t(c.s.r[ECX]) << 32) | c.s.r[EBX] : m);
  if (!equal) {
    c.s.r[EAX] = uint32_t(m);
    c.s.r[EDX] = uint32_t(m >> 32);
  }
  c.set_flag(fl::ZF, equal);
}

// XCHG/XADD/CMPXCHG share the shape "r/m, reg".
template <class Make> Handler bind_rm_reg(const Insn& i, Make&& make) {
  if (i.nops != 2 || i.op[1].kind != OpKind::Reg) return nullptr;
  return by_size(i.op[0].size, [&]<class T>() {
    return by_rm(i.op[0], [&]<Kind D>() { return make.template operator()<T, D>(); });
  });
}

}  // namespace

Handler bind_xchg(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return bind_rm_reg(i, []<class T, Kind D>() -> Handler { return &xchg<T, D>; });
}

Handler bind_xadd(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return bind_rm_reg(i, []<class T, Kind D>() -> Handler { return &xadd<T, D>; });
}

Handler bind_cmpxchg(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return bind_rm_reg(i, []<class T, Kind D>() -> Handler { return &cmpxchg<T, D>; });
}

Handler bind_cmpxchg8b(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  if (i.nops != 1 || i.op[0].kind != OpKind::Mem) return nullptr;
  return &cmpxchg8b;
}

}  // namespace bt86
