// x87 templates that compute: the six basic operations in all register, memory (m32/m64) and
// integer (m16/m32) forms, the one-byte D9 group (FCHS FABS FTST FXAM F2XM1 FYL2X FPTAN FPATAN
// FXTRACT FPREM1 FPREM FYL2XP1 FSQRT FSINCOS FRNDINT FSCALE FSIN FCOS FNOP), every compare
// (FCOM/FUCOM families, FICOM, FCOMI/FUCOMI with their pops, sometimes followed by FNSTSW AX;
// SAHF), and the eight FCMOVcc.
#include "gen_x87.h"

namespace difftest {

namespace {

// Operation n (0..7 as in the x87 opcode /reg field): ADD MUL COM COMP SUB SUBR DIV DIVR.
const unsigned kArithOps[] = {0, 1, 4, 5, 6, 7};
const ZydisMnemonic kMemOp[8] = {ZYDIS_MNEMONIC_FADD, ZYDIS_MNEMONIC_FMUL, ZYDIS_MNEMONIC_FCOM, ZYDIS_MNEMONIC_FCOMP,
                                 ZYDIS_MNEMONIC_FSUB, ZYDIS_MNEMONIC_FSUBR, ZYDIS_MNEMONIC_FDIV, ZYDIS_MNEMONIC_FDIVR};
const ZydisMnemonic kIntOp[8] = {ZYDIS_MNEMONIC_FIADD, ZYDIS_MNEMONIC_FIMUL, ZYDIS_MNEMONIC_FICOM, ZYDIS_MNEMONIC_FICOMP,
                                 ZYDIS_MNEMONIC_FISUB, ZYDIS_MNEMONIC_FISUBR, ZYDIS_MNEMONIC_FIDIV, ZYDIS_MNEMONIC_FIDIVR};

uint8_t sti(GenContext& c) { return uint8_t(c.rng.below(8)); }

}  // namespace

void x87_arith(GenContext& c) {
  const unsigned op = c.rng.pick(kArithOps);
  switch (c.rng.below(6)) {
    case 0: c.emit.raw({0xD8, uint8_t(0xC0 | op << 3 | sti(c))}); break;  // op ST(0), ST(i)
    case 1: c.emit.raw({0xDC, uint8_t(0xC0 | op << 3 | sti(c))}); break;  // op ST(i), ST(0)
    case 2: c.emit.raw({0xDE, uint8_t(0xC0 | op << 3 | sti(c))}); break;  // opP ST(i), ST(0)
    case 3: case 4: c.emit.insn(kMemOp[op], {x87_mem(c, c.rng.pick({FpuMem::F32, FpuMem::F64}), false)}); break;
    default: c.emit.insn(kIntOp[op], {x87_mem(c, c.rng.pick({FpuMem::I16, FpuMem::I32}), false)}); break;
  }
}

void x87_unary(GenContext& c) {
  static const uint8_t ops[] = {0xE0, 0xE1, 0xE4, 0xE5, 0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5,
                                0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF, 0xD0};
  c.emit.raw({0xD9, c.rng.pick(ops)});
}

void x87_compare(GenContext& c) {
  switch (c.rng.below(8)) {
    case 0: c.emit.raw({0xD8, uint8_t(0xD0 + c.rng.below(16))}); break;  // FCOM/FCOMP ST(i)
    case 1: c.emit.raw({0xDD, uint8_t(0xE0 + c.rng.below(16))}); break;  // FUCOM/FUCOMP ST(i)
    case 2: c.emit.raw(c.rng.chance(50) ? std::initializer_list<uint8_t>{0xDE, 0xD9} : std::initializer_list<uint8_t>{0xDA, 0xE9}); break;  // FCOMPP FUCOMPP
    case 3: c.emit.insn(kMemOp[2 + c.rng.below(2)], {x87_mem(c, c.rng.pick({FpuMem::F32, FpuMem::F64}), false)}); break;
    case 4: c.emit.insn(kIntOp[2 + c.rng.below(2)], {x87_mem(c, c.rng.pick({FpuMem::I16, FpuMem::I32}), false)}); break;
    default:  // FCOMI FUCOMI (DB F0/E8), FCOMIP FUCOMIP (DF F0/E8)
      c.emit.raw({uint8_t(c.rng.chance(50) ? 0xDB : 0xDF), uint8_t((c.rng.chance(50) ? 0xF0 : 0xE8) + c.rng.below(8))});
      return;
  }
  if (c.rng.chance(30)) {  // the classic FNSTSW AX; SAHF
    c.emit.raw({0xDF, 0xE0});
    c.emit.raw({0x9E});
  }
}

void x87_fcmov(GenContext& c) {
  if (c.rng.chance(40)) {
    const unsigned a = c.pick_reg(4, false), b = c.pick_reg(4, false);
    c.emit.insn(ZYDIS_MNEMONIC_CMP, {opnd::reg(gpr(4, a)), opnd::reg(gpr(4, b))});
  }
  // DA C0-DF: FCMOVB FCMOVE FCMOVBE FCMOVU; DB C0-DF: FCMOVNB FCMOVNE FCMOVNBE FCMOVNU.
  c.emit.raw({uint8_t(c.rng.chance(50) ? 0xDA : 0xDB), uint8_t(0xC0 + c.rng.below(32))});
}

}  // namespace difftest
