// Multiplication and division: MUL and one-operand IMUL (accumulator x r/m into AX, DX:AX or
// EDX:EAX), two- and three-operand IMUL (truncated product), DIV and IDIV. Division checks for
// a zero divisor and for a quotient that does not fit (#DE) before anything runs on the host, so
// the host instruction never traps; flags (all undefined for DIV) are then the host's.
#include <limits>
#include "cpu/alu_host.h"
#include "cpu/ops_common.h"
#include "cpu/ops_int.h"

namespace bt86 {

namespace {

constexpr unsigned bits_of(unsigned bytes) { return 8 * bytes; }

// Stores a double-width result: AX for bytes, otherwise the high half in DX/EDX.
template <class T> inline void store_wide_accumulator(Cpu& c, host::Wide<T> v) {
  if constexpr (sizeof(T) == 1) {
    reg<uint16_t>(c, EAX) = v;
  } else {
    reg<T>(c, EAX) = T(v);
    reg<T>(c, EDX) = T(v >> bits_of(sizeof(T)));
  }
}

template <class T> inline host::Wide<T> load_wide_accumulator(Cpu& c) {
  if constexpr (sizeof(T) == 1) return reg<uint16_t>(c, EAX);
  else return (host::Wide<T>(reg<T>(c, EDX)) << bits_of(sizeof(T))) | reg<T>(c, EAX);
}

template <bool SIGNED, class T, Kind S> void multiply(Cpu& c, const Insn& i) {
  T s = load<T, S>(c, i, 0);
  uint32_t f = c.s.eflags;
  store_wide_accumulator<T>(c, host::multiply<SIGNED>(reg<T>(c, EAX), s, f));
  c.set_arith_flags(f);
}

// IMUL r, r/m (destination x operand 1) and IMUL r, r/m, imm (operand 1 x immediate); the
// product is truncated to the destination size.
template <class T, Kind S, bool THREE_OPERANDS> void imul_trunc(Cpu& c, const Insn& i) {
  T s = load<T, S>(c, i, 1);
  T other = THREE_OPERANDS ? T(i.imm) : reg<T>(c, i.op[0].reg);
  uint32_t f = c.s.eflags;
  T r = host::imul_trunc(other, s, f);
  reg<T>(c, i.op[0].reg) = r;
  c.set_arith_flags(f);
}

// True if dividend / divisor does not fit in T (divisor != 0).
template <bool SIGNED, class T> inline bool quotient_overflows(host::Wide<T> dividend, T divisor) {
  if constexpr (SIGNED) {
    using S = std::make_signed_t<T>;
    using Big = std::conditional_t<sizeof(T) == 4, __int128, int64_t>;
    Big q = Big(std::make_signed_t<host::Wide<T>>(dividend)) / Big(S(divisor));
    return q < Big(std::numeric_limits<S>::min()) || q > Big(std::numeric_limits<S>::max());
  } else {
    return dividend / divisor > std::numeric_limits<T>::max();
  }
}

template <bool SIGNED, class T, Kind S> void divide(Cpu& c, const Insn& i) {
  T s = load<T, S>(c, i, 0);
  host::Wide<T> dividend = load_wide_accumulator<T>(c);
  if (s == 0 || quotient_overflows<SIGNED, T>(dividend, s)) guest_fault(vec::DE);
  uint32_t f = c.s.eflags;
  T rem;
  T q = host::divide<SIGNED, T>(dividend, s, rem, f);
  if constexpr (sizeof(T) == 1) {
    reg<uint16_t>(c, EAX) = uint16_t(q | (rem << 8));
  } else {
    reg<T>(c, EAX) = q;
    reg<T>(c, EDX) = rem;
  }
  c.set_arith_flags(f);
}

}  // namespace

Handler bind_mul(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  const bool is_signed = zi.mnemonic == ZYDIS_MNEMONIC_IMUL;
  if (!is_signed && zi.mnemonic != ZYDIS_MNEMONIC_MUL) return nullptr;
  switch (i.nops) {
    case 1:
      return by_size(i.op[0].size, [&]<class T>() {
        return by_rm(i.op[0], [&]<Kind S>() -> Handler {
          return is_signed ? &multiply<true, T, S> : &multiply<false, T, S>;
        });
      });
    case 2:
    case 3:
      if (!is_signed || i.op[0].kind != OpKind::Reg) return nullptr;
      if (i.nops == 3 && i.op[2].kind != OpKind::Imm) return nullptr;
      return by_wide_size(i.op[0].size, [&]<class T>() {
        return by_rm(i.op[1], [&]<Kind S>() -> Handler {
          return i.nops == 3 ? &imul_trunc<T, S, true> : &imul_trunc<T, S, false>;
        });
      });
    default:
      return nullptr;
  }
}

Handler bind_div(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  const bool is_signed = zi.mnemonic == ZYDIS_MNEMONIC_IDIV;
  if ((!is_signed && zi.mnemonic != ZYDIS_MNEMONIC_DIV) || i.nops != 1) return nullptr;
  return by_size(i.op[0].size, [&]<class T>() {
    return by_rm(i.op[0], [&]<Kind S>() -> Handler {
      return is_signed ? &divide<true, T, S> : &divide<false, T, S>;
    });
  });
}

}  // namespace bt86
