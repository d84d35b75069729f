// Group "stack": PUSH/POP of registers (ESP included), memory (POP [ESP+d] addresses after the
// increment) and immediates in 16- and 32-bit sizes, PUSHA/POPA, PUSHF, ENTER with nesting
// levels 0-31 and LEAVE. The generator tracks ESP exactly through all of them.
#include "generator.h"

namespace difftest {

namespace {

void push(GenContext& c) {
  const unsigned size = c.pick_size_16_32();
  c.ensure_stack(4, 0);
  switch (c.rng.below(3)) {
    case 0: {
      const unsigned r = c.rng.below(8);  // PUSH ESP pushes the value before the decrement
      c.maybe_load(size, r);
      c.emit.insn(ZYDIS_MNEMONIC_PUSH, {opnd::reg(gpr(size, r))});
      break;
    }
    case 1: {
      MemOptions o;
      ZydisEncoderOperand m = c.mem(size, o);
      c.emit.insn(ZYDIS_MNEMONIC_PUSH, {m}, c.maybe_segment(false));
      break;
    }
    default: {
      const int32_t v = c.rng.chance(50) ? c.rng.range(-128, 127) : int32_t(c.rng.interesting(size));
      if (size == 2) c.emit.raw({0x66, 0x68, uint8_t(v), uint8_t(v >> 8)});
      else c.emit.insn(ZYDIS_MNEMONIC_PUSH, {opnd::imm(v)});
      break;
    }
  }
  c.esp -= size;
}

void pop(GenContext& c) {
  const unsigned size = c.pick_size_16_32();
  c.ensure_stack(0, 4);
  switch (c.rng.below(4)) {
    case 0: case 1:
      c.emit.insn(ZYDIS_MNEMONIC_POP, {opnd::reg(gpr(size, c.pick_reg(size, true)))});
      c.esp += size;
      break;
    case 2: {  // POP [ESP + d]: the address is computed with ESP already incremented
      const uint32_t after = c.esp + size;
      const uint32_t addr = c.pick_address(size, Window::Data);
      c.emit.insn(ZYDIS_MNEMONIC_POP, {opnd::mem(size, ZYDIS_REGISTER_ESP, ZYDIS_REGISTER_NONE, 0, int32_t(addr - after))});
      c.esp = after;
      break;
    }
    default: {  // POP ESP of a known value
      c.ensure_stack(4, 4);
      const uint32_t v = c.pick_address(1, Window::Data, 1, 64, 64) & ~3u;
      c.emit.insn(ZYDIS_MNEMONIC_PUSH, {opnd::imm(int32_t(v))});
      c.emit.insn(ZYDIS_MNEMONIC_POP, {opnd::reg(ZYDIS_REGISTER_ESP)});
      c.esp = v;
      break;
    }
  }
}

void push_pop_all(GenContext& c) {
  const bool wide = c.rng.chance(70);
  const unsigned bytes = wide ? 32 : 16;
  if (c.rng.chance(50)) {
    c.ensure_stack(bytes, 0);
    for (unsigned r = 0; r < 8; ++r) c.maybe_load(4, r, 15);
    if (wide) c.emit.raw({0x60});
    else c.emit.raw({0x66, 0x60});
    c.esp -= bytes;
  } else {
    c.ensure_stack(0, bytes);
    if (wide) c.emit.raw({0x61});
    else c.emit.raw({0x66, 0x61});
    c.esp += bytes;
  }
}

void pushf(GenContext& c) {
  c.ensure_stack(4, 0);
  if (c.rng.chance(70)) {
    c.emit.raw({0x9C});
    c.esp -= 4;
  } else {
    c.emit.raw({0x66, 0x9C});
    c.esp -= 2;
  }
}

// ENTER size, level: pushes EBP, level-1 frame pointers read from [EBP-k*w], and the new
// frame pointer; then ESP -= size. LEAVE: ESP = EBP, pop EBP.
void enter_leave(GenContext& c) {
  const unsigned w = c.rng.chance(80) ? 4 : 2;  // operand size
  const uint8_t level = uint8_t(c.rng.chance(50) ? c.rng.below(4) : c.rng.below(256));  // the CPU uses level % 32
  const unsigned nest = level & 31;
  const uint16_t frame = uint16_t(c.rng.chance(50) ? c.rng.below(64) : 4 * c.rng.below(32));
  if (c.rng.chance(70)) {
    const unsigned pushes = nest == 0 ? 1 : nest + 1;
    c.ensure_stack(pushes * w + frame + 4, 0);
    const uint32_t ebp = c.pick_address(4, Window::Data, 1, nest * w + 4, 0);
    c.load(4, 5, ebp);
    if (w == 2) c.emit.raw({0x66, 0xC8, uint8_t(frame), uint8_t(frame >> 8), level});
    else c.emit.raw({0xC8, uint8_t(frame), uint8_t(frame >> 8), level});
    c.esp -= pushes * w + frame;
  } else {
    const uint32_t ebp = c.pick_address(4, Window::Data, 1, 0, 8);
    c.load(4, 5, ebp);
    if (w == 2) c.emit.raw({0x66, 0xC9});
    else c.emit.raw({0xC9});
    c.esp = ebp + w;
  }
}

}  // namespace

void gen_stack(GenContext& c) {
  switch (c.rng.below(10)) {
    case 0: case 1: case 2: push(c); break;
    case 3: case 4: case 5: pop(c); break;
    case 6: push_pop_all(c); break;
    case 7: pushf(c); break;
    default: enter_leave(c); break;
  }
}

}  // namespace difftest
