// Decimal-arithmetic adjustments: DAA DAS AAA AAS AAM AAD. These are invalid in 64-bit mode, so
// they cannot run on the host; they follow the SDM pseudo-code. Flags the SDM leaves undefined are
// chosen as P6-family and later Intel cores are reported to produce them (Bochs, which validated
// its DAA/DAS against Pentium hardware; emulator bug reports comparing against real silicon):
//   DAA/DAS: SF ZF PF from AL, OF cleared.
//   AAA/AAS: the adjustment is done on AX (AX+106h / AX-106h, as P6 and later do); SF ZF PF
//            from the final AL, OF cleared.
//   AAM:     SF ZF PF from AL; OF AF CF cleared. AAM 0 raises #DE.
//   AAD:     AL = AL + AH*imm8 done as an 8-bit ADD, whose flags it keeps (OF AF CF included).
#include "cpu/alu_host.h"
#include "cpu/ops_common.h"
#include "cpu/ops_int.h"

namespace bt86 {

namespace {

// SF ZF PF of an 8-bit result, plus `others`, replacing all six status flags.
inline void set_result_flags(Cpu& c, uint8_t al, uint32_t others) {
  uint32_t f = others;
  if (al & 0x80) f |= fl::SF;
  if (al == 0) f |= fl::ZF;
  if (!__builtin_parity(al)) f |= fl::PF;
  c.set_arith_flags(f);
}

void daa(Cpu& c, const Insn&) {
  const uint8_t old_al = c.s.r8(EAX);
  const bool old_cf = c.flag(fl::CF);
  uint8_t al = old_al;
  uint32_t f = 0;
  if ((al & 0x0F) > 9 || c.flag(fl::AF)) {
    if (al + 6 > 0xFF || old_cf) f |= fl::CF;
    al = uint8_t(al + 6);
    f |= fl::AF;
  }
  if (old_al > 0x99 || old_cf) {
    al = uint8_t(al + 0x60);
    f |= fl::CF;
  } else {
    f &= ~fl::CF;
  }
  c.s.r8(EAX) = al;
  set_result_flags(c, al, f);
}

void das(Cpu& c, const Insn&) {
  const uint8_t old_al = c.s.r8(EAX);
  const bool old_cf = c.flag(fl::CF);
  uint8_t al = old_al;
  uint32_t f = 0;
  if ((al & 0x0F) > 9 || c.flag(fl::AF)) {
    if (al < 6 || old_cf) f |= fl::CF;
    al = uint8_t(al - 6);
    f |= fl::AF;
  }
  if (old_al > 0x99 || old_cf) {
    al = uint8_t(al - 0x60);
    f |= fl::CF;
  }
  c.s.r8(EAX) = al;
  set_result_flags(c, al, f);
}

// AAA (ADD = true) and AAS.
template <bool ADD> void ascii_adjust(Cpu& c, const Insn&) {
  uint16_t ax = reg<uint16_t>(c, EAX);
  uint32_t f = 0;
  if ((ax & 0x0F) > 9 || c.flag(fl::AF)) {
    ax = ADD ? uint16_t(ax + 0x106) : uint16_t(ax - 0x106);  // AX+/-6 (carry/borrow reaches AH), AH+/-1
    f = fl::AF | fl::CF;
  }
  ax &= 0xFF0F;
  reg<uint16_t>(c, EAX) = ax;
  set_result_flags(c, uint8_t(ax), f);
}

void aam(Cpu& c, const Insn& i) {
  const uint8_t base = uint8_t(i.imm);
  if (base == 0) guest_fault(vec::DE);
  const uint8_t al = c.s.r8(EAX);
  reg<uint16_t>(c, EAX) = uint16_t(((al / base) << 8) | (al % base));
  set_result_flags(c, uint8_t(al % base), 0);
}

void aad(Cpu& c, const Insn& i) {
  const uint8_t base = uint8_t(i.imm);
  uint32_t f = c.s.eflags;
  uint8_t al = host::alu<host::AluOp::Add>(c.s.r8(EAX), uint8_t(c.s.r8(4) * base), f);  // AH = r8(4)
  reg<uint16_t>(c, EAX) = al;
  c.set_arith_flags(f);
}

}  // namespace

Handler bind_bcd(Insn&, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_DAA: return &daa;
    case ZYDIS_MNEMONIC_DAS: return &das;
    case ZYDIS_MNEMONIC_AAA: return &ascii_adjust<true>;
    case ZYDIS_MNEMONIC_AAS: return &ascii_adjust<false>;
    case ZYDIS_MNEMONIC_AAM: return &aam;
    case ZYDIS_MNEMONIC_AAD: return &aad;
    default: return nullptr;
  }
}

}  // namespace bt86
