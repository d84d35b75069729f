// Group "bits": BT BTS BTR BTC with immediate and register bit offsets on registers and memory
// (register offsets reach other words: the generator places the accessed word inside the data
// page), BSF/BSR including zero sources, BSWAP.
#include "generator.h"

namespace difftest {

namespace {

const ZydisMnemonic kBitTests[] = {ZYDIS_MNEMONIC_BT, ZYDIS_MNEMONIC_BTS, ZYDIS_MNEMONIC_BTR, ZYDIS_MNEMONIC_BTC};

void bit_test(GenContext& c) {
  const ZydisMnemonic m = c.rng.pick(kBitTests);
  const unsigned size = c.pick_size_16_32();
  const unsigned bits = 8 * size;
  const bool writes = m != ZYDIS_MNEMONIC_BT;
  const bool by_imm = c.rng.chance(40);
  if (by_imm) {
    GenContext::Rm dst = c.rm(size, writes);
    if (!dst.is_mem) c.maybe_load(size, dst.reg);
    const uint8_t bit = uint8_t(c.rng.chance(70) ? c.rng.below(bits) : c.rng.u32());
    c.emit.insn(m, {dst.op, opnd::imm(bit)}, dst.is_mem && writes && c.rng.chance(5) ? ZYDIS_ATTRIB_HAS_LOCK : 0);
    return;
  }
  const unsigned off = c.pick_reg(size, true);  // loaded below: never ESP
  if (c.rng.chance(50)) {  // register destination: the offset is taken modulo the size
    const unsigned d = c.pick_reg(size, writes);
    c.maybe_load(size, d);
    c.maybe_load(size, off, 60);
    c.emit.insn(m, {opnd::reg(gpr(size, d)), opnd::reg(gpr(size, off))});
    return;
  }
  // Memory destination: the word accessed is EA + size * (offset >> log2(bits)) (signed).
  const int32_t words = c.rng.range(-24, 24);
  const uint32_t target = c.pick_address(size, Window::Data);
  const uint32_t ea = target - uint32_t(words) * size;
  const int32_t offset = words * int32_t(bits) + int32_t(c.rng.below(bits));
  c.load(size, off, uint32_t(offset));
  MemOptions o;
  o.avoid = reg_bit(off);
  o.write = writes;
  ZydisEncoderOperand mem = c.mem_at(size, ea, o);
  c.emit.insn(m, {mem, opnd::reg(gpr(size, off))}, writes && c.rng.chance(5) ? ZYDIS_ATTRIB_HAS_LOCK : 0);
}

void bit_scan(GenContext& c) {
  const ZydisMnemonic m = c.rng.chance(50) ? ZYDIS_MNEMONIC_BSF : ZYDIS_MNEMONIC_BSR;
  const unsigned size = c.pick_size_16_32();
  const unsigned d = c.pick_reg(size, true);
  c.maybe_load(size, d);
  GenContext::Rm src = c.rm(size, false, reg_bit(d));
  if (!src.is_mem) {
    if (src.reg != kEsp && c.rng.chance(20)) c.load(size, src.reg, 0);
    else c.maybe_load(size, src.reg);
  }
  c.emit.insn(m, {opnd::reg(gpr(size, d)), src.op});
}

}  // namespace

void gen_bits(GenContext& c) {
  switch (c.rng.below(5)) {
    case 0: case 1: bit_test(c); break;
    case 2: case 3: bit_scan(c); break;
    default: {
      const unsigned r = c.pick_reg(4, true);
      c.maybe_load(4, r);
      c.emit.insn(ZYDIS_MNEMONIC_BSWAP, {opnd::reg(gpr(4, r))});
      break;
    }
  }
}

}  // namespace difftest
