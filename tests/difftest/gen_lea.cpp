// Group "lea": LEA with every 32-bit addressing form (any base including ESP/EBP, any index but
// ESP, scales 1-8, no/8-bit/32-bit displacement, absolute) and every 16-bit form (0x67), into 16-
// and 32-bit destinations. LEA touches no memory, so register values stay arbitrary.
#include "generator.h"

namespace difftest {

namespace {

int32_t displacement(GenContext& c) {
  switch (c.rng.below(3)) {
    case 0: return 0;
    case 1: return c.rng.range(-128, 127);
    default: return int32_t(c.rng.u32());
  }
}

}  // namespace

void gen_lea(GenContext& c) {
  const unsigned dsize = c.pick_size_16_32();
  const unsigned d = c.pick_reg(dsize, true);
  ZydisEncoderOperand m;
  if (c.rng.chance(25)) {  // 16-bit addressing
    static const ZydisRegister bases[] = {ZYDIS_REGISTER_BX, ZYDIS_REGISTER_BP, ZYDIS_REGISTER_NONE};
    static const ZydisRegister indexes[] = {ZYDIS_REGISTER_SI, ZYDIS_REGISTER_DI, ZYDIS_REGISTER_NONE};
    const unsigned b = c.rng.below(3), x = b == 2 ? c.rng.below(2) : c.rng.below(3);
    const int32_t disp = c.rng.chance(30) ? 0 : c.rng.chance(50) ? c.rng.range(-128, 127) : int16_t(c.rng.u32());
    if (b < 2) c.maybe_load(4, b == 0 ? 3 : 5);
    if (x < 2) c.maybe_load(4, x == 0 ? 6 : 7);
    // (Zydis wants the address size as LEA's operand size, and a lone SI/DI as the "base".)
    m = b == 2 ? opnd::mem(2, indexes[x], ZYDIS_REGISTER_NONE, 0, disp)
               : opnd::mem(2, bases[b], indexes[x], x < 2 ? 1 : 0, disp);
  } else {
    const bool has_base = c.rng.chance(85);
    const bool has_index = c.rng.chance(60);
    const unsigned base = c.rng.below(8);
    unsigned index = c.rng.below(8);
    if (index == 4) index = 5;  // ESP cannot be an index
    if (has_base) c.maybe_load(4, base);
    if (has_index) c.maybe_load(4, index);
    m = opnd::mem(4, has_base ? gpr(4, base) : ZYDIS_REGISTER_NONE, has_index ? gpr(4, index) : ZYDIS_REGISTER_NONE,
                  c.rng.pick({1u, 2u, 4u, 8u}), has_base || has_index ? displacement(c) : int32_t(c.rng.u32()));
  }
  c.emit.insn(ZYDIS_MNEMONIC_LEA, {opnd::reg(gpr(dsize, d)), m});
}

}  // namespace difftest
