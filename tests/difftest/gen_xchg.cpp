// Group "xchg": XCHG (register pairs, the accumulator short form, memory), XADD, CMPXCHG with
// the accumulator made equal to the destination half of the time, CMPXCHG8B likewise; LOCK
// prefixes on the memory forms.
#include "generator.h"

namespace difftest {

namespace {

ZydisInstructionAttributes maybe_lock(GenContext& c, bool is_mem) {
  return is_mem && c.rng.chance(25) ? ZYDIS_ATTRIB_HAS_LOCK : 0;
}

void exchange(GenContext& c, ZydisMnemonic m) {
  const unsigned size = c.pick_size();
  const unsigned s = c.pick_reg(size, true);
  c.maybe_load(size, s);
  GenContext::Rm dst = c.rm(size, true, reg_bit(full_reg(size, s)));
  if (!dst.is_mem) c.maybe_load(size, dst.reg);
  c.emit.insn(m, {dst.op, opnd::reg(gpr(size, s))}, maybe_lock(c, dst.is_mem));
}

void compare_exchange(GenContext& c) {
  const unsigned size = c.pick_size();
  const unsigned s = c.pick_reg(size, false);
  c.maybe_load(size, s);
  const bool equal = c.rng.chance(50);
  if (c.rng.chance(50)) {  // memory destination
    MemOptions o;
    o.avoid = RegMask(reg_bit(0) | reg_bit(full_reg(size, s)));
    o.write = true;
    const uint32_t addr = c.choose_address(size, o);
    if (equal) c.emit.insn(ZYDIS_MNEMONIC_MOV, {opnd::reg(gpr(size, 0)), c.mem_at(size, addr, o)});
    else c.maybe_load(size, 0);
    c.emit.insn(ZYDIS_MNEMONIC_CMPXCHG, {c.mem_at(size, addr, o), opnd::reg(gpr(size, s))}, maybe_lock(c, true));
    return;
  }
  const unsigned d = c.pick_reg(size, true);
  c.maybe_load(size, d);
  if (equal) c.emit.insn(ZYDIS_MNEMONIC_MOV, {opnd::reg(gpr(size, 0)), opnd::reg(gpr(size, d))});
  c.emit.insn(ZYDIS_MNEMONIC_CMPXCHG, {opnd::reg(gpr(size, d)), opnd::reg(gpr(size, s))});
}

void compare_exchange8b(GenContext& c) {
  MemOptions o;
  o.avoid = RegMask(reg_bit(0) | reg_bit(1) | reg_bit(2) | reg_bit(3));  // EDX:EAX, ECX:EBX
  o.write = true;
  const uint32_t addr = c.choose_address(8, o);
  if (c.rng.chance(50) && addr - DT_DATA_ADDR < DT_PAGE - 7) {
    c.emit.insn(ZYDIS_MNEMONIC_MOV, {opnd::reg(ZYDIS_REGISTER_EAX), c.mem_at(4, addr, o)});
    c.emit.insn(ZYDIS_MNEMONIC_MOV, {opnd::reg(ZYDIS_REGISTER_EDX), c.mem_at(4, addr + 4, o)});
  } else {
    c.maybe_load(4, 0);
    c.maybe_load(4, 2);
  }
  c.maybe_load(4, 1);
  c.maybe_load(4, 3);
  c.emit.insn(ZYDIS_MNEMONIC_CMPXCHG8B, {c.mem_at(8, addr, o)}, maybe_lock(c, true));
}

}  // namespace

void gen_xchg(GenContext& c) {
  switch (c.rng.below(8)) {
    case 0: case 1: exchange(c, ZYDIS_MNEMONIC_XCHG); break;
    case 2: case 3: exchange(c, ZYDIS_MNEMONIC_XADD); break;
    case 4: case 5: case 6: compare_exchange(c); break;
    default: compare_exchange8b(c); break;
  }
}

}  // namespace difftest
