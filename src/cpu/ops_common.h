// Shared building blocks of the integer instruction handlers (ops_*.cpp): typed register and
// operand access specialised at bind time by operand kind, read-modify-write of the destination,
// condition codes, near-branch targets, and the binder helpers that turn a runtime size/kind/
// condition into a handler template instantiation (so handlers have no switches on the hot path).
#pragma once
#include <Zydis/Zydis.h>
#include <cstdint>
#include <type_traits>
#include <utility>
#include "cpu/cpu.h"

namespace bt86 {

// Operand kind a handler is specialised for.
enum class Kind : uint8_t { Reg, Mem, Imm };

// A 16-bit view allowed to alias the uint32_t registers (CpuState::r16's plain uint16_t* is not,
// under strict aliasing; uint8_t views are always allowed).
using AliasU16 = uint16_t __attribute__((may_alias));

// The guest register `r` viewed with the width of T (bytes: AL CL DL BL AH CH DH BH). Writes
// through a 8/16-bit view keep the rest of the 32-bit register.
template <class T> inline T& reg(Cpu& c, unsigned r) {
  if constexpr (sizeof(T) == 1) return c.s.r8(r);
  else if constexpr (sizeof(T) == 2) return *reinterpret_cast<AliasU16*>(&c.s.r[r]);
  else return c.s.r[r];
}

// Value of operand n of kind K (immediates are Insn::imm, truncated to T).
template <class T, Kind K> inline T load(Cpu& c, const Insn& i, unsigned n) {
  if constexpr (K == Kind::Reg) return reg<T>(c, i.op[n].reg);
  else if constexpr (K == Kind::Mem) return c.read<T>(i.seg, c.ea(i));
  else return T(i.imm);
}

// Writes operand 0 (register or memory).
template <class T, Kind K> inline void store(Cpu& c, const Insn& i, T v) {
  static_assert(K != Kind::Imm);
  if constexpr (K == Kind::Reg) reg<T>(c, i.op[0].reg) = v;
  else c.write<T>(i.seg, c.ea(i), v);
}

// Read-modify-write of operand 0: `f(old)` returns the new value. The effective address is
// computed once; the memory write happens here, so a caller that commits flags afterwards keeps
// the fault-before-commit rule.
template <class T, Kind K, class F> inline void modify(Cpu& c, const Insn& i, F&& f) {
  static_assert(K != Kind::Imm);
  if constexpr (K == Kind::Reg) {
    T& r = reg<T>(c, i.op[0].reg);
    r = f(r);
  } else {
    uint32_t off = c.ea(i);
    T v = c.read_rmw<T>(i.seg, off);  // checked as a write, as the hardware does
    c.write<T>(i.seg, off, f(v));
  }
}

// Condition code CC (the low nibble of Jcc/SETcc/CMOVcc opcodes) evaluated on EFLAGS.
template <unsigned CC> inline bool cond(uint32_t f) {
  bool r;
  switch (CC >> 1) {
    case 0: r = f & fl::OF; break;                                     // O
    case 1: r = f & fl::CF; break;                                     // B
    case 2: r = f & fl::ZF; break;                                     // Z
    case 3: r = f & (fl::CF | fl::ZF); break;                          // BE
    case 4: r = f & fl::SF; break;                                     // S
    case 5: r = f & fl::PF; break;                                     // P
    case 6: r = bool(f & fl::SF) != bool(f & fl::OF); break;           // L
    default: r = (f & fl::ZF) || bool(f & fl::SF) != bool(f & fl::OF); // LE
  }
  return (CC & 1) ? !r : r;
}

// Validates a near-branch target (truncated to 16 bits for 16-bit operand size) against the CS
// limit (#GP(0)) and returns it. Does not change state.
inline uint32_t near_target(Cpu& c, uint32_t target, unsigned osize) {
  if (osize == 2) target &= 0xFFFF;
  if (target > c.s.seg[CS].limit) guest_fault(vec::GP, 0);
  return target;
}

// ---- binder helpers -------------------------------------------------------------------------
// Each calls `make.template operator()<X>()` for the compile-time X matching a runtime value,
// e.g. by_size(4, []<class T>() { return &handler<T>; }) returns &handler<uint32_t>.

template <class Make> inline Handler by_size(unsigned size, Make&& make) {
  switch (size) {
    case 1: return make.template operator()<uint8_t>();
    case 2: return make.template operator()<uint16_t>();
    case 4: return make.template operator()<uint32_t>();
    default: return nullptr;
  }
}

// Only the 16/32-bit sizes (instructions without a byte form).
template <class Make> inline Handler by_wide_size(unsigned size, Make&& make) {
  switch (size) {
    case 2: return make.template operator()<uint16_t>();
    case 4: return make.template operator()<uint32_t>();
    default: return nullptr;
  }
}

// Register or memory operand.
template <class Make> inline Handler by_rm(const Operand& o, Make&& make) {
  switch (o.kind) {
    case OpKind::Reg: return make.template operator()<Kind::Reg>();
    case OpKind::Mem: return make.template operator()<Kind::Mem>();
    default: return nullptr;
  }
}

// Register, memory or immediate operand.
template <class Make> inline Handler by_rmi(const Operand& o, Make&& make) {
  if (o.kind == OpKind::Imm) return make.template operator()<Kind::Imm>();
  return by_rm(o, std::forward<Make>(make));
}

template <class Make, size_t... CC>
inline Handler by_cond_impl(unsigned cc, Make& make, std::index_sequence<CC...>) {
  const Handler table[] = {make.template operator()<unsigned(CC)>()...};
  return table[cc & 15];
}
// Condition code 0-15.
template <class Make> inline Handler by_cond(unsigned cc, Make&& make) {
  return by_cond_impl(cc, make, std::make_index_sequence<16>{});
}

// An enumerator among the listed compile-time values.
template <auto... Vs, class V, class Make> inline Handler by_value(V v, Make&& make) {
  Handler h = nullptr;
  ((v == Vs ? (h = make.template operator()<Vs>(), true) : false) || ...);
  return h;
}

}  // namespace bt86
