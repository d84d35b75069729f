// Group "misc": XLAT (32- and 16-bit addressing, segment overrides), BOUND (inside and outside
// the bounds: #BR), multi-byte NOPs with memory-form operands (no access), 66-prefixed NOP.
#include <utility>
#include "generator.h"

namespace difftest {

namespace {

void xlat(GenContext& c) {
  const bool addr16 = c.low_window && c.rng.chance(30);
  const Window w = addr16 ? Window::Low : Window::Data;
  const uint32_t table = c.pick_address(1, w, 1, 0, 256);  // table[AL] stays inside the page
  c.load(4, 3, (addr16 ? c.rng.u32() << 16 : 0) | (addr16 ? table & 0xFFFF : table));
  c.maybe_load(1, 0, 80);
  uint8_t b[3];
  size_t len = 0;
  if (addr16) b[len++] = 0x67;
  if (c.rng.chance(20)) b[len++] = c.rng.pick({0x26, 0x2E, 0x36, 0x3E});
  b[len++] = 0xD7;
  c.emit.raw(b, len);
}

// BOUND reg, [lower, upper]: #BR when the signed index is outside.
void bound(GenContext& c) {
  const unsigned size = c.pick_size_16_32();
  const unsigned bits = 8 * size;
  auto sx = [bits](uint32_t v) { return int64_t(int32_t(v << (32 - bits)) >> (32 - bits)); };
  uint32_t lo = c.rng.interesting(size), hi = c.rng.interesting(size);
  if (c.rng.chance(95) && sx(lo) > sx(hi)) std::swap(lo, hi);
  const unsigned r = c.pick_reg(size, true);
  uint32_t index;
  const int64_t span = sx(hi) - sx(lo);
  switch (c.rng.below(16)) {
    case 0: case 1: index = lo; break;
    case 2: case 3: index = hi; break;
    case 4: index = c.rng.interesting(size); break;                  // mostly outside: #BR
    case 5: index = uint32_t(sx(lo) - 1 - c.rng.below(3)); break;   // just below
    default:                                                         // inside (when lo <= hi)
      index = uint32_t(sx(lo) + (span > 0 ? int64_t(c.rng.next() % uint64_t(span + 1)) : 0));
      break;
  }
  c.load(size, r, index);
  MemOptions o;
  o.avoid = reg_bit(r);
  // No deliberately faulting address: with a bound pair that faults, an Intel Xeon can raise
  // #BR where AMD EPYC and bt86 raise #PF (docs/difftest.md, "What the processors disagree on").
  o.may_fault = false;
  const uint32_t addr = c.choose_address(2 * size, o);
  uint8_t pair[8];
  for (unsigned k = 0; k < size; ++k) {
    pair[k] = uint8_t(lo >> (8 * k));
    pair[size + k] = uint8_t(hi >> (8 * k));
  }
  c.poke(addr, pair, 2 * size);
  c.emit.insn(ZYDIS_MNEMONIC_BOUND, {opnd::reg(gpr(size, r)), c.mem_at(2 * size, addr, o)});
}

void nops(GenContext& c) {
  if (c.rng.chance(30)) {
    c.emit.raw({0x66, 0x90});
    return;
  }
  // 0F 1F /0 with a random (never accessed) memory form.
  uint8_t b[ZYDIS_MAX_INSTRUCTION_LENGTH];
  const ZydisEncoderOperand m = opnd::mem(4, gpr(4, c.rng.below(8)), ZYDIS_REGISTER_NONE, 0, int32_t(c.rng.u32()));
  const size_t len = Emitter::encode(ZYDIS_MNEMONIC_NOP, {m}, 0, b);
  c.emit.raw(b, len);
}

}  // namespace

void gen_misc(GenContext& c) {
  switch (c.rng.below(5)) {
    case 0: case 1: xlat(c); break;
    case 2: case 3: bound(c); break;
    default: nops(c); break;
  }
}

}  // namespace difftest
