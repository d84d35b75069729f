// Group "cond": everything that reads or sets flags directly or branches on them — SETcc and
// CMOVcc in all conditions, LAHF/SAHF/CLC/STC/CMC/CLD/STD, POPF of prepared values, Jcc
// (short and near) over a flag-neutral instruction, JECXZ/JCXZ, LOOP/LOOPE/LOOPNE with small
// counts, and CALL/RET/indirect JMP to the next instruction (control flow inside the sequence).
#include "generator.h"

namespace difftest {

namespace {

const ZydisMnemonic kSetcc[16] = {
    ZYDIS_MNEMONIC_SETO, ZYDIS_MNEMONIC_SETNO, ZYDIS_MNEMONIC_SETB,  ZYDIS_MNEMONIC_SETNB,
    ZYDIS_MNEMONIC_SETZ, ZYDIS_MNEMONIC_SETNZ, ZYDIS_MNEMONIC_SETBE, ZYDIS_MNEMONIC_SETNBE,
    ZYDIS_MNEMONIC_SETS, ZYDIS_MNEMONIC_SETNS, ZYDIS_MNEMONIC_SETP,  ZYDIS_MNEMONIC_SETNP,
    ZYDIS_MNEMONIC_SETL, ZYDIS_MNEMONIC_SETNL, ZYDIS_MNEMONIC_SETLE, ZYDIS_MNEMONIC_SETNLE};
const ZydisMnemonic kCmovcc[16] = {
    ZYDIS_MNEMONIC_CMOVO, ZYDIS_MNEMONIC_CMOVNO, ZYDIS_MNEMONIC_CMOVB,  ZYDIS_MNEMONIC_CMOVNB,
    ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_CMOVBE, ZYDIS_MNEMONIC_CMOVNBE,
    ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVNS, ZYDIS_MNEMONIC_CMOVP,  ZYDIS_MNEMONIC_CMOVNP,
    ZYDIS_MNEMONIC_CMOVL, ZYDIS_MNEMONIC_CMOVNL, ZYDIS_MNEMONIC_CMOVLE, ZYDIS_MNEMONIC_CMOVNLE};

// Sometimes a CMP first, so conditions see related rather than random flags.
void maybe_compare(GenContext& c) {
  if (!c.rng.chance(40)) return;
  const unsigned size = c.pick_size();
  const unsigned a = c.pick_reg(size, false), b = c.pick_reg(size, false);
  c.maybe_load(size, a, 50);
  c.emit.insn(ZYDIS_MNEMONIC_CMP, {opnd::reg(gpr(size, a)), opnd::reg(gpr(size, b))});
}

void setcc_cmovcc(GenContext& c) {
  maybe_compare(c);
  const unsigned cc = c.rng.below(16);
  if (c.rng.chance(50)) {
    GenContext::Rm dst = c.rm(1, true);
    c.emit.insn(kSetcc[cc], {dst.op});
    return;
  }
  const unsigned size = c.pick_size_16_32();
  const unsigned d = c.pick_reg(size, true);
  c.maybe_load(size, d);
  GenContext::Rm src = c.rm(size, false, reg_bit(d));
  c.emit.insn(kCmovcc[cc], {opnd::reg(gpr(size, d)), src.op});
}

void flag_ops(GenContext& c) {
  switch (c.rng.below(8)) {
    case 0: c.emit.raw({0x9F}); break;                         // LAHF
    case 1: c.maybe_load(1, 4, 70); c.emit.raw({0x9E}); break;  // SAHF
    case 2: c.emit.raw({0xF8}); break;                         // CLC
    case 3: c.emit.raw({0xF9}); break;                         // STC
    case 4: c.emit.raw({0xF5}); break;                         // CMC
    case 5: c.emit.raw({0xFC}); c.df = false; break;           // CLD
    case 6: c.emit.raw({0xFD}); c.df = true; break;            // STD
    default: {  // PUSH imm; POPF(D): status flags, DF and NT (IF stays 1, IOPL 0, no TF/AC/ID)
      const uint32_t v = (c.rng.u32() & 0x4CD5) | 0x202;
      c.ensure_stack(4, 0);
      if (c.rng.chance(70)) {
        c.emit.insn(ZYDIS_MNEMONIC_PUSH, {opnd::imm(int32_t(v))});
        c.emit.raw({0x9D});
      } else {
        c.emit.raw({0x66, 0x68, uint8_t(v), uint8_t(v >> 8)});
        c.emit.raw({0x66, 0x9D});
      }
      c.df = v & 0x400;
      break;
    }
  }
}

// An instruction that writes no flag, to be jumped over.
size_t flag_neutral(GenContext& c, uint8_t* out) {
  const unsigned r = c.pick_reg(4, true);
  switch (c.rng.below(3)) {
    case 0: return Emitter::encode(ZYDIS_MNEMONIC_MOV, {opnd::reg(gpr(4, r)), opnd::imm(int32_t(c.rng.u32()))}, 0, out);
    case 1: return Emitter::encode(ZYDIS_MNEMONIC_NOT, {opnd::reg(gpr(4, r))}, 0, out);
    default: return Emitter::encode(ZYDIS_MNEMONIC_BSWAP, {opnd::reg(gpr(4, r))}, 0, out);
  }
}

void append_rel32(uint8_t* b, size_t at, int32_t v) {
  for (int k = 0; k < 4; ++k) b[at + k] = uint8_t(uint32_t(v) >> (8 * k));
}

void branches(GenContext& c) {
  uint8_t skip[ZYDIS_MAX_INSTRUCTION_LENGTH];
  switch (c.rng.below(4)) {
    case 0: case 1: {  // Jcc over one instruction, short or near
      maybe_compare(c);
      const size_t n = flag_neutral(c, skip);
      const unsigned cc = c.rng.below(16);
      if (c.rng.chance(60)) {
        c.emit.raw({uint8_t(0x70 + cc), uint8_t(n)});
      } else {
        uint8_t b[6] = {0x0F, uint8_t(0x80 + cc)};
        append_rel32(b, 2, int32_t(n));
        c.emit.raw(b, 6);
      }
      c.emit.forbid_cut();
      c.emit.raw(skip, n);
      return;
    }
    case 2: {  // JECXZ / JCXZ over one instruction
      const bool cx = c.rng.chance(30);
      if (c.rng.chance(50)) c.load(cx ? 2 : 4, 1, 0);
      const size_t n = flag_neutral(c, skip);
      if (cx) c.emit.raw({0x67, 0xE3, uint8_t(n)});
      else c.emit.raw({0xE3, uint8_t(n)});
      c.emit.forbid_cut();
      c.emit.raw(skip, n);
      return;
    }
    default: {  // LOOP/LOOPE/LOOPNE around a flag-setting body, 1..4 iterations (CX or ECX)
      const bool cx = c.rng.chance(25);
      c.load(cx ? 2 : 4, 1, 1 + c.rng.below(4));
      const unsigned r = c.pick_reg(4, true, reg_bit(1));
      uint8_t body[ZYDIS_MAX_INSTRUCTION_LENGTH];
      const size_t n = c.rng.chance(50)
          ? Emitter::encode(ZYDIS_MNEMONIC_DEC, {opnd::reg(gpr(4, r))}, 0, body)
          : Emitter::encode(ZYDIS_MNEMONIC_CMP, {opnd::reg(gpr(4, r)), opnd::imm(c.rng.range(-2, 2))}, 0, body);
      c.emit.raw(body, n);
      const uint8_t op = uint8_t(c.rng.pick({0xE2u, 0xE1u, 0xE0u}));  // LOOP LOOPE LOOPNE
      const int8_t back = int8_t(-int(n) - (cx ? 3 : 2));
      if (cx) c.emit.raw({0x67, op, uint8_t(back)});
      else c.emit.raw({op, uint8_t(back)});
      return;
    }
  }
}

// Control transfers that land on the next instruction of the sequence.
void flow(GenContext& c) {
  c.ensure_stack(8, 40);
  const uint32_t here = DT_CODE_ADDR + uint32_t(c.emit.code_size());
  switch (c.rng.below(4)) {
    case 0: {  // CALL next; POP reg   (the classic get-EIP)
      c.emit.raw({0xE8, 0, 0, 0, 0});
      c.emit.insn(ZYDIS_MNEMONIC_POP, {opnd::reg(gpr(4, c.pick_reg(4, true)))});
      return;
    }
    case 1: {  // PUSH target; RET / RET imm16
      const bool with_imm = c.rng.chance(40);
      const uint16_t extra = uint16_t(with_imm ? 4 * c.rng.below(8) : 0);
      const uint32_t target = here + 5 + (with_imm ? 3 : 1);
      c.emit.raw({0x68, uint8_t(target), uint8_t(target >> 8), uint8_t(target >> 16), uint8_t(target >> 24)});
      if (with_imm) c.emit.raw({0xC2, uint8_t(extra), uint8_t(extra >> 8)});
      else c.emit.raw({0xC3});
      c.esp += extra;
      return;
    }
    case 2: {  // MOV reg, target; JMP reg
      const unsigned r = c.pick_reg(4, true);
      const uint32_t target = here + 5 + 2;
      c.load(4, r, target);
      c.emit.raw({0xFF, uint8_t(0xE0 | r)});
      return;
    }
    default:  // JMP rel8 / rel32 to the next instruction
      if (c.rng.chance(50)) c.emit.raw({0xEB, 0});
      else c.emit.raw({0xE9, 0, 0, 0, 0});
      return;
  }
}

}  // namespace

void gen_cond(GenContext& c) {
  switch (c.rng.below(10)) {
    case 0: case 1: case 2: setcc_cmovcc(c); break;
    case 3: case 4: case 5: flag_ops(c); break;
    case 6: case 7: case 8: branches(c); break;
    default: flow(c); break;
  }
}

}  // namespace difftest
