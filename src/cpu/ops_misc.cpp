// Flag and miscellaneous instructions: LAHF SAHF CLC STC CMC CLD STD SALC, the NOPs (90, the
// 0F 1F /0 multi-byte NOP and the other 0F 19-1F hint NOPs, which never touch their memory
// operand; PAUSE; ENDBR32/ENDBR64, hint NOPs on a CPU without CET; the PREFETCHh hints, which
// have no architectural effect) and BOUND (#BR when the index is outside the signed bounds in memory).
#include "cpu/ops_common.h"
#include "cpu/ops_int.h"

namespace bt86 {

namespace {

constexpr uint32_t kLahfFlags = fl::SF | fl::ZF | fl::AF | fl::PF | fl::CF;

void lahf(Cpu& c, const Insn&) { c.s.r8(4) = uint8_t((c.s.eflags & kLahfFlags) | fl::FIXED1); }  // AH
void sahf(Cpu& c, const Insn&) { c.s.eflags = (c.s.eflags & ~kLahfFlags) | (c.s.r8(4) & kLahfFlags); }
template <uint32_t FLAG, bool ON> void set_flag(Cpu& c, const Insn&) { c.set_flag(FLAG, ON); }
void cmc(Cpu& c, const Insn&) { c.s.eflags ^= fl::CF; }
void salc(Cpu& c, const Insn&) { c.s.r8(EAX) = c.flag(fl::CF) ? 0xFF : 0x00; }
void nop(Cpu&, const Insn&) {}

template <class T> void bound(Cpu& c, const Insn& i) {
  using S = std::make_signed_t<T>;
  const uint32_t off = c.ea(i);
  const uint32_t upper_off = i.asize == 2 ? (off + sizeof(T)) & 0xFFFF : off + sizeof(T);
  const S lower = S(c.read<T>(i.seg, off));
  const S upper = S(c.read<T>(i.seg, upper_off));
  const S index = S(reg<T>(c, i.op[0].reg));
  if (index < lower || index > upper) guest_fault(vec::BR);
}

}  // namespace

Handler bind_flag_op(Insn&, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_LAHF: return &lahf;
    case ZYDIS_MNEMONIC_SAHF: return &sahf;
    case ZYDIS_MNEMONIC_CLC: return &set_flag<fl::CF, false>;
    case ZYDIS_MNEMONIC_STC: return &set_flag<fl::CF, true>;
    case ZYDIS_MNEMONIC_CMC: return &cmc;
    case ZYDIS_MNEMONIC_CLD: return &set_flag<fl::DF, false>;
    case ZYDIS_MNEMONIC_STD: return &set_flag<fl::DF, true>;
    case ZYDIS_MNEMONIC_SALC: return &salc;
    default: return nullptr;
  }
}

Handler bind_nop(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return &nop; }

Handler bind_bound(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  if (i.nops != 2 || i.op[0].kind != OpKind::Reg || i.op[1].kind != OpKind::Mem) return nullptr;
  return by_wide_size(i.op[0].size, []<class T>() -> Handler { return &bound<T>; });
}

}  // namespace bt86
