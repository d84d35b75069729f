// Bit instructions: BT BTS BTR BTC (register/memory operand, immediate or register bit offset),
// BSF BSR (also for the F3-prefixed TZCNT/LZCNT encodings) and BSWAP. BT* change only CF
// architecturally; the host instruction runs with the guest flags loaded, so the others stay
// whatever the host leaves them.
#include "cpu/alu_host.h"
#include "cpu/ops_common.h"
#include "cpu/ops_int.h"

namespace bt86 {

using host::BitOp;
using host::ScanOp;

namespace {

// BT* r/m, imm8 and BT* reg, reg: the bit offset is taken modulo the operand width.
template <BitOp OP, class T, Kind D, Kind S> void bit_test(Cpu& c, const Insn& i) {
  const T bit = T(load<T, S>(c, i, 1) & (8 * sizeof(T) - 1));
  uint32_t f = c.s.eflags;
  if constexpr (OP == BitOp::Bt) host::bit_test<OP>(load<T, D>(c, i, 0), bit, f);
  else modify<T, D>(c, i, [&](T v) { return host::bit_test<OP>(v, bit, f); });
  c.set_arith_flags(f);
}

// BT* mem, reg: the register is a signed bit offset that may address memory outside the operand
// (the T-sized word containing the bit is ea + (offset >> log2(bits)) * sizeof(T)).
template <BitOp OP, class T> void bit_test_mem_reg(Cpu& c, const Insn& i) {
  using S = std::make_signed_t<T>;
  constexpr unsigned kBits = 8 * sizeof(T);
  const int32_t offset = S(reg<T>(c, i.op[1].reg));
  uint32_t off = c.ea(i) + uint32_t(offset >> (sizeof(T) == 2 ? 4 : 5)) * sizeof(T);
  if (i.asize == 2) off &= 0xFFFF;
  const unsigned bit = uint32_t(offset) & (kBits - 1);
  T v = OP == BitOp::Bt ? c.read<T>(i.seg, off) : c.read_rmw<T>(i.seg, off);
  uint32_t f = c.s.eflags;
  T r = host::bit_test<OP>(v, T(bit), f);
  if constexpr (OP != BitOp::Bt) c.write<T>(i.seg, off, r);
  c.set_arith_flags(f);
}

template <ScanOp OP, class T, Kind S> void bit_scan(Cpu& c, const Insn& i) {
  T s = load<T, S>(c, i, 1);
  T& d = reg<T>(c, i.op[0].reg);
  uint32_t f = c.s.eflags;
  d = host::bit_scan<OP>(d, s, f);
  c.set_arith_flags(f);
}

void bswap32(Cpu& c, const Insn& i) { c.s.r[i.op[0].reg] = __builtin_bswap32(c.s.r[i.op[0].reg]); }
void bswap16(Cpu& c, const Insn& i) {
  uint16_t& r = reg<uint16_t>(c, i.op[0].reg);
  r = host::bswap16_undefined(r);
}

}  // namespace

Handler bind_bit_test(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (i.nops != 2) return nullptr;
  auto make = [&]<BitOp OP>() {
    return by_wide_size(i.op[0].size, [&]<class T>() -> Handler {
      if (i.op[0].kind == OpKind::Mem && i.op[1].kind == OpKind::Reg) return &bit_test_mem_reg<OP, T>;
      return by_rm(i.op[0], [&]<Kind D>() {
        return by_rmi(i.op[1], [&]<Kind S>() -> Handler {
          if constexpr (S == Kind::Mem) return nullptr;
          else return &bit_test<OP, T, D, S>;
        });
      });
    });
  };
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_BT: return make.template operator()<BitOp::Bt>();
    case ZYDIS_MNEMONIC_BTS: return make.template operator()<BitOp::Bts>();
    case ZYDIS_MNEMONIC_BTR: return make.template operator()<BitOp::Btr>();
    case ZYDIS_MNEMONIC_BTC: return make.template operator()<BitOp::Btc>();
    default: return nullptr;
  }
}

Handler bind_bit_scan(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (i.nops != 2 || i.op[0].kind != OpKind::Reg) return nullptr;
  auto make = [&]<ScanOp OP>() {
    return by_wide_size(i.op[0].size, [&]<class T>() {
      return by_rm(i.op[1], [&]<Kind S>() -> Handler { return &bit_scan<OP, T, S>; });
    });
  };
  switch (zi.mnemonic) {
    // F3 0F BC/BD decode as TZCNT/LZCNT; a CPU without BMI1/LZCNT (like ours) ignores the F3
    // prefix and runs BSF/BSR, which compilers rely on when they emit "rep bsf".
    case ZYDIS_MNEMONIC_BSF: case ZYDIS_MNEMONIC_TZCNT: return make.template operator()<ScanOp::Bsf>();
    case ZYDIS_MNEMONIC_BSR: case ZYDIS_MNEMONIC_LZCNT: return make.template operator()<ScanOp::Bsr>();
    default: return nullptr;
  }
}

Handler bind_bswap(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  if (i.nops != 1 || i.op[0].kind != OpKind::Reg) return nullptr;
  if (i.op[0].size == 4) return &bswap32;
  if (i.op[0].size == 2) return &bswap16;
  return nullptr;
}

}  // namespace bt86
