// Group "shift": SHL SHR SAR ROL ROR RCL RCR by 1, CL and imm8 on registers and memory of all
// sizes, and SHLD/SHRD; counts favour 0, 1, size-1, size, size+1 and values masked to 0. The
// generator knows every count, so it tells the comparator exactly which flags are defined.
#include "generator.h"

namespace difftest {

namespace {

constexpr uint32_t CF = 0x1, AF = 0x10, OF = 0x800;

const ZydisMnemonic kShifts[] = {ZYDIS_MNEMONIC_SHL, ZYDIS_MNEMONIC_SHR, ZYDIS_MNEMONIC_SAR, ZYDIS_MNEMONIC_ROL,
                                 ZYDIS_MNEMONIC_ROR, ZYDIS_MNEMONIC_RCL, ZYDIS_MNEMONIC_RCR};

uint8_t pick_count(GenContext& c, unsigned bits) {
  switch (c.rng.below(8)) {
    case 0: return 0;
    case 1: case 2: return 1;
    case 3: return uint8_t(c.rng.pick({bits - 1, bits, bits + 1}));
    case 4: return uint8_t(c.rng.pick({31u, 32u, 33u, 64u, 255u}));
    default: return uint8_t(c.rng.below(c.rng.chance(70) ? 32 : 256));
  }
}

// Flags a shift/rotate of a `bits`-wide operand by `count` (before masking) defines.
FlagAdjust shift_flags(ZydisMnemonic m, unsigned bits, unsigned count) {
  FlagAdjust a;
  const unsigned masked = count & 31;
  const bool through_carry = m == ZYDIS_MNEMONIC_RCL || m == ZYDIS_MNEMONIC_RCR;
  if (masked == 0) {
    a.unwritten = kAllFlags;
    return a;
  }
  if (masked == 1) a.defined = OF;
  if (through_carry && bits < 32 && masked % (bits + 1) == 0) a.unwritten = CF;  // rotates by 0 mod size+1
  if ((m == ZYDIS_MNEMONIC_SHL || m == ZYDIS_MNEMONIC_SHR) && masked >= bits) a.undefined = CF;
  return a;
}

void shift(GenContext& c) {
  const ZydisMnemonic m = c.rng.pick(kShifts);
  const unsigned size = c.pick_size();
  const unsigned bits = 8 * size;
  const unsigned form = c.rng.below(3);  // 0: by 1, 1: by CL, 2: by imm8
  const uint8_t count = form == 0 ? 1 : pick_count(c, bits);
  const RegMask avoid = form == 1 ? reg_bit(1) : 0;
  GenContext::Rm dst = c.rm(size, true, avoid);
  if (!dst.is_mem) c.maybe_load(size, dst.reg);
  if (form == 1) c.load(1, 1, count);  // after the memory operand's setup, which avoids ECX
  const ZydisEncoderOperand cnt = form == 1 ? opnd::reg(ZYDIS_REGISTER_CL) : opnd::imm(count);
  c.emit.insn(m, {dst.op, cnt}, dst.is_mem ? c.maybe_segment(true) : 0, shift_flags(m, bits, count));
}

// SHLD/SHRD dst, src, imm8/CL. Counts above the operand size (16-bit forms) leave the result
// undefined, so they are not generated.
void double_shift(GenContext& c) {
  const ZydisMnemonic m = c.rng.chance(50) ? ZYDIS_MNEMONIC_SHLD : ZYDIS_MNEMONIC_SHRD;
  const unsigned size = c.pick_size_16_32();
  const unsigned bits = 8 * size;
  uint8_t count = pick_count(c, bits);
  if (size == 2 && (count & 31) > 16) count = uint8_t(count & ~0x10u);  // keeps count & 15 (and any bit 5+)
  const bool by_cl = c.rng.chance(50);
  const unsigned src = c.pick_reg(size, false, by_cl ? reg_bit(1) : 0);
  c.maybe_load(size, src);
  GenContext::Rm dst = c.rm(size, true, RegMask(reg_bit(src) | (by_cl ? reg_bit(1) : 0)));
  if (!dst.is_mem) c.maybe_load(size, dst.reg);
  if (by_cl) c.load(1, 1, count);
  FlagAdjust a;
  const unsigned masked = count & 31;
  if (masked == 0) a.unwritten = kAllFlags;
  if (masked == 1) a.defined = OF;
  a.undefined = AF;
  const ZydisEncoderOperand cnt = by_cl ? opnd::reg(ZYDIS_REGISTER_CL) : opnd::imm(count);
  c.emit.insn(m, {dst.op, opnd::reg(gpr(size, src)), cnt}, dst.is_mem ? c.maybe_segment(true) : 0, a);
}

}  // namespace

void gen_shift(GenContext& c) {
  if (c.rng.chance(75)) shift(c);
  else double_shift(c);
}

}  // namespace difftest
