// Group "bcd": DAA DAS AAA AAS with AL/AH/AF/CF inputs that are valid BCD, off by a carry, or
// arbitrary; AAM/AAD with base 10, other bases, and base 0 (#DE for AAM).
#include "generator.h"

namespace difftest {

namespace {

uint8_t bcd_byte(GenContext& c) {
  switch (c.rng.below(4)) {
    case 0: return uint8_t(c.rng.below(10) << 4 | c.rng.below(10));        // valid packed BCD
    case 1: return uint8_t(c.rng.below(16) << 4 | (10 + c.rng.below(6)));  // low digit > 9
    case 2: return uint8_t(c.rng.pick({0x99u, 0x9Au, 0xA0u, 0xF9u, 0xFAu, 0x00u, 0x0Fu, 0x66u}));
    default: return uint8_t(c.rng.u32());
  }
}

// A flag-setting addition or subtraction on AL, as BCD code does before DAA/DAS/AAA/AAS.
void bcd_arith(GenContext& c, bool subtract) {
  c.load(1, 0, bcd_byte(c));
  c.emit.insn(subtract ? ZYDIS_MNEMONIC_SUB : ZYDIS_MNEMONIC_ADD, {opnd::reg(ZYDIS_REGISTER_AL), opnd::imm(int8_t(bcd_byte(c)))});
}

}  // namespace

void gen_bcd(GenContext& c) {
  switch (c.rng.below(6)) {
    case 0: case 1: {  // DAA / DAS
      const bool das = c.rng.chance(50);
      if (c.rng.chance(60)) bcd_arith(c, das);
      else c.load(1, 0, bcd_byte(c));
      c.emit.raw({uint8_t(das ? 0x2F : 0x27)});
      return;
    }
    case 2: case 3: {  // AAA / AAS
      const bool aas = c.rng.chance(50);
      c.maybe_load(1, 4, 50);  // AH
      if (c.rng.chance(60)) bcd_arith(c, aas);
      else c.load(1, 0, bcd_byte(c));
      c.emit.raw({uint8_t(aas ? 0x3F : 0x37)});
      return;
    }
    default: {  // AAM / AAD imm8
      const bool aad = c.rng.chance(50);
      c.maybe_load(2, 0, 70);
      const uint8_t base = uint8_t(c.rng.chance(60) ? 10 : c.rng.chance(15) ? 0 : c.rng.u32());
      c.emit.raw({uint8_t(aad ? 0xD5 : 0xD4), base});
      return;
    }
  }
}

}  // namespace difftest
