// Group "smc": self-modifying code. A store patches an instruction further on in the same
// sequence (usually in the block the interpreter has already decoded): the immediate of a
// following MOV reg, imm32; INC reg turned into DEC reg; or a REP STOSB that overwrites
// following BSWAPs with NOPs. x86 guarantees the modified code executes, natively and in bt86.
// The sequence is never cut between a patching store and its target (the store would write past
// the end of the code).
#include "generator.h"

namespace difftest {

namespace {

uint32_t here(GenContext& c) { return DT_CODE_ADDR + uint32_t(c.emit.code_size()); }

void put32(uint8_t* b, uint32_t v) {
  for (int k = 0; k < 4; ++k) b[k] = uint8_t(v >> (8 * k));
}

// MOV dword [abs], new; MOV reg, old   -> reg = new
void patch_immediate(GenContext& c) {
  const unsigned r = c.pick_reg(4, true);
  const uint32_t target = here(c) + 10;  // C7 05 disp32 imm32 is 10 bytes
  uint8_t store[10] = {0xC7, 0x05};
  put32(store + 2, target + 1);           // the immediate follows the one-byte B8+r opcode
  put32(store + 6, c.rng.u32());
  c.emit.raw(store, 10);
  c.emit.forbid_cut();
  uint8_t mov[5] = {uint8_t(0xB8 + r)};
  put32(mov + 1, c.rng.u32());
  c.emit.raw(mov, 5);
}

// MOV byte [abs], DEC reg; INC reg   -> DEC executes (both write the same flags)
void patch_opcode(GenContext& c) {
  const unsigned r = c.pick_reg(4, true);
  const uint32_t target = here(c) + 7;  // C6 05 disp32 imm8
  uint8_t store[7] = {0xC6, 0x05};
  put32(store + 2, target);
  store[6] = uint8_t(0x48 + r);
  c.emit.raw(store, 7);
  c.emit.forbid_cut();
  c.emit.raw({uint8_t(0x40 + r)});
}

// EDI = following code, ECX = 2j, AL = 0x90; REP STOSB; k BSWAPs (the first j become NOPs)
void patch_with_string(GenContext& c) {
  const unsigned k = 1 + c.rng.below(4), j = c.rng.below(k + 1);
  const bool was_df = c.df;
  if (was_df) c.emit.raw({0xFC});  // CLD
  c.df = false;
  c.load(4, 1, 2 * j);
  c.load(1, 0, 0x90);
  const uint32_t first = here(c) + 5 + 2;  // after MOV EDI, imm32 and REP STOSB
  c.load(4, 7, first);
  c.emit.raw({0xF3, 0xAA});
  c.emit.forbid_cut();
  for (unsigned n = 0; n < k; ++n) {
    const unsigned r = c.pick_reg(4, true, reg_bit(7));
    c.emit.raw({0x0F, uint8_t(0xC8 + r)});
    if (n + 1 < j) c.emit.forbid_cut();
  }
}

}  // namespace

void gen_smc(GenContext& c) {
  switch (c.rng.below(3)) {
    case 0: patch_immediate(c); break;
    case 1: patch_opcode(c); break;
    default: patch_with_string(c); break;
  }
}

}  // namespace difftest
