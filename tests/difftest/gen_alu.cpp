// Group "alu": the eight classic binary operations and TEST in every operand form and size
// (including the accumulator/imm8 short forms, the 0x82 alias and both reg-reg directions),
// INC/DEC/NEG/NOT, MOV/MOVZX/MOVSX, CBW/CWDE/CWD/CDQ, with occasional LOCK prefixes.
#include "generator.h"

namespace difftest {

namespace {

const ZydisMnemonic kBinary[] = {ZYDIS_MNEMONIC_ADD, ZYDIS_MNEMONIC_OR,  ZYDIS_MNEMONIC_ADC,
                                 ZYDIS_MNEMONIC_SBB, ZYDIS_MNEMONIC_AND, ZYDIS_MNEMONIC_SUB,
                                 ZYDIS_MNEMONIC_XOR, ZYDIS_MNEMONIC_CMP, ZYDIS_MNEMONIC_TEST};
const ZydisMnemonic kUnary[] = {ZYDIS_MNEMONIC_INC, ZYDIS_MNEMONIC_DEC, ZYDIS_MNEMONIC_NEG, ZYDIS_MNEMONIC_NOT};

bool writes_dest(ZydisMnemonic m) { return m != ZYDIS_MNEMONIC_CMP && m != ZYDIS_MNEMONIC_TEST; }

// An immediate for an operand of `size`: often one that fits a sign-extended imm8.
int64_t pick_imm(GenContext& c, unsigned size) {
  if (size > 1 && c.rng.chance(40)) return c.rng.range(-128, 127);
  uint32_t v = c.rng.interesting(size);
  return size == 1 ? int8_t(v) : size == 2 ? int16_t(v) : int32_t(v);
}

ZydisInstructionAttributes lock_if(GenContext& c, bool writes) {
  return writes && c.rng.chance(8) ? ZYDIS_ATTRIB_HAS_LOCK : 0;
}

// Rarely, LOCK on a register form (#UD); Zydis refuses to encode it, so prefix it by hand.
bool emit_locked_register_form(GenContext& c, ZydisMnemonic m, std::initializer_list<ZydisEncoderOperand> ops) {
  if (!c.rng.chance(1)) return false;
  uint8_t b[ZYDIS_MAX_INSTRUCTION_LENGTH + 1] = {0xF0};
  const size_t len = Emitter::encode(m, ops, 0, b + 1);
  c.emit.invalid(b, len + 1);
  return true;
}

// op reg, reg — sometimes re-encoded in the other direction (opcode bit 1 flipped, ModRM
// reg/rm swapped), which is the same instruction.
void binary_reg_reg(GenContext& c, ZydisMnemonic m, unsigned size) {
  const unsigned d = c.pick_reg(size, true), s = c.pick_reg(size, false);
  c.maybe_load(size, d);
  c.maybe_load(size, s);
  uint8_t b[ZYDIS_MAX_INSTRUCTION_LENGTH];
  size_t len = Emitter::encode(m, {opnd::reg(gpr(size, d)), opnd::reg(gpr(size, s))}, 0, b);
  const size_t op = len - 2;  // opcode, ModRM
  const bool has_direction = (b[op] < 0x40 && (b[op] & 7) < 4) || (b[op] >= 0x88 && b[op] <= 0x8B);
  if (has_direction && c.rng.chance(50)) {
    const uint8_t modrm = b[op + 1];
    b[op] ^= 2;
    b[op + 1] = uint8_t(0xC0 | (modrm & 7) << 3 | ((modrm >> 3) & 7));
  }
  c.emit.raw(b, len);
}

void binary(GenContext& c) {
  const ZydisMnemonic m = c.rng.pick(kBinary);
  const unsigned size = c.pick_size();
  switch (c.rng.below(5)) {
    case 0:
      binary_reg_reg(c, m, size);
      return;
    case 1: {  // reg, imm (accumulator short forms come out of the encoder for register 0)
      const unsigned d = c.rng.chance(25) ? 0 : c.pick_reg(size, true);
      c.maybe_load(size, d);
      const int64_t imm = pick_imm(c, size);
      if (size == 1 && m != ZYDIS_MNEMONIC_TEST && c.rng.chance(20)) {  // 82 /n ib, alias of 80 /n
        uint8_t b[ZYDIS_MAX_INSTRUCTION_LENGTH];
        size_t len = Emitter::encode(m, {opnd::reg(gpr(1, d)), opnd::imm(imm)}, 0, b);
        if (b[0] == 0x80) {
          b[0] = 0x82;
          c.emit.raw(b, len);
          return;
        }
      }
      c.emit.insn(m, {opnd::reg(gpr(size, d)), opnd::imm(imm)});
      return;
    }
    case 2: {  // reg, mem
      const unsigned d = c.pick_reg(size, true);
      c.maybe_load(size, d);
      MemOptions o;
      o.avoid = reg_bit(full_reg(size, d));
      ZydisEncoderOperand mem = c.mem(size, o);
      if (m == ZYDIS_MNEMONIC_TEST) c.emit.insn(m, {mem, opnd::reg(gpr(size, d))}, c.maybe_segment(false));  // only r/m, r exists
      else c.emit.insn(m, {opnd::reg(gpr(size, d)), mem}, c.maybe_segment(false));
      return;
    }
    case 3: {  // mem, reg
      const unsigned s = c.pick_reg(size, false);
      c.maybe_load(size, s);
      MemOptions o;
      o.avoid = reg_bit(full_reg(size, s));
      o.write = writes_dest(m);
      ZydisEncoderOperand mem = c.mem(size, o);
      c.emit.insn(m, {mem, opnd::reg(gpr(size, s))}, c.maybe_segment(o.write) | lock_if(c, o.write));
      return;
    }
    default: {  // mem, imm
      MemOptions o;
      o.write = writes_dest(m);
      ZydisEncoderOperand mem = c.mem(size, o);
      c.emit.insn(m, {mem, opnd::imm(pick_imm(c, size))}, c.maybe_segment(o.write) | lock_if(c, o.write));
      return;
    }
  }
}

void unary(GenContext& c) {
  const ZydisMnemonic m = c.rng.pick(kUnary);
  const unsigned size = c.pick_size();
  GenContext::Rm rm = c.rm(size, true);
  if (rm.is_mem) {
    c.emit.insn(m, {rm.op}, c.maybe_segment(true) | lock_if(c, true));
    return;
  }
  c.maybe_load(size, rm.reg);
  if (!emit_locked_register_form(c, m, {rm.op})) c.emit.insn(m, {rm.op});
}

void move(GenContext& c) {
  const unsigned size = c.pick_size();
  switch (c.rng.below(6)) {
    case 0: {  // reg, reg / reg, imm
      const unsigned d = c.pick_reg(size, true);
      if (c.rng.chance(50)) {
        binary_reg_reg(c, ZYDIS_MNEMONIC_MOV, size);
      } else {
        c.load(size, d, c.rng.interesting(size));
      }
      return;
    }
    case 1: {  // reg, mem (EAX with an absolute address gives the moffs form)
      const unsigned d = c.pick_reg(size, true);
      MemOptions o;
      o.avoid = reg_bit(full_reg(size, d));
      ZydisEncoderOperand mem = c.mem(size, o);
      c.emit.insn(ZYDIS_MNEMONIC_MOV, {opnd::reg(gpr(size, d)), mem}, c.maybe_segment(false));
      return;
    }
    case 2: {  // mem, reg / mem, imm
      const unsigned s = c.pick_reg(size, false);
      MemOptions o;
      o.avoid = reg_bit(full_reg(size, s));
      o.write = true;
      ZydisEncoderOperand mem = c.mem(size, o);
      if (c.rng.chance(50))
        c.emit.insn(ZYDIS_MNEMONIC_MOV, {mem, opnd::reg(gpr(size, s))}, c.maybe_segment(true));
      else
        c.emit.insn(ZYDIS_MNEMONIC_MOV, {mem, opnd::imm(pick_imm(c, size))}, c.maybe_segment(true));
      return;
    }
    case 3: case 4: {  // MOVZX / MOVSX
      const ZydisMnemonic m = c.rng.chance(50) ? ZYDIS_MNEMONIC_MOVZX : ZYDIS_MNEMONIC_MOVSX;
      const unsigned dsize = c.pick_size_16_32();
      const unsigned ssize = dsize == 2 ? 1 : c.rng.pick({1u, 2u});
      const unsigned d = c.pick_reg(dsize, true);
      GenContext::Rm src = c.rm(ssize, false, reg_bit(d));
      if (!src.is_mem) c.maybe_load(ssize, src.reg);
      c.emit.insn(m, {opnd::reg(gpr(dsize, d)), src.op});
      return;
    }
    default: {  // CBW CWDE CWD CDQ
      c.maybe_load(4, 0);
      static const uint8_t forms[4][2] = {{0x66, 0x98}, {0x98, 0}, {0x66, 0x99}, {0x99, 0}};
      const uint8_t* f = forms[c.rng.below(4)];
      c.emit.raw(f, f[1] ? 2 : 1);
      return;
    }
  }
}

}  // namespace

void gen_alu(GenContext& c) {
  switch (c.rng.below(8)) {
    case 0: case 1: case 2: case 3: binary(c); break;
    case 4: case 5: unary(c); break;
    default: move(c); break;
  }
}

}  // namespace difftest
