// Group "muldiv": MUL/IMUL (one, two and three operands) and DIV/IDIV of every size. Dividends
// are built from a chosen quotient, divisor and remainder so that most divisions succeed; a
// few divide by zero or overflow to exercise #DE.
#include "generator.h"

namespace difftest {

namespace {

int64_t sign_extend(uint64_t v, unsigned bits) { return int64_t(v << (64 - bits)) >> (64 - bits); }

void multiply(GenContext& c) {
  const unsigned kind = c.rng.below(3);
  if (kind == 0) {  // MUL/IMUL r/m: EDX:EAX = EAX * src
    const unsigned size = c.pick_size();
    c.maybe_load(size, 0, 50);
    GenContext::Rm src = c.rm(size, false, reg_bit(0));
    if (!src.is_mem) c.maybe_load(size, src.reg);
    const ZydisMnemonic m = c.rng.chance(50) ? ZYDIS_MNEMONIC_MUL : ZYDIS_MNEMONIC_IMUL;
    c.emit.insn(m, {src.op}, src.is_mem ? c.maybe_segment(false) : 0);
    return;
  }
  const unsigned size = c.pick_size_16_32();
  const unsigned d = c.pick_reg(size, true);
  c.maybe_load(size, d);
  GenContext::Rm src = c.rm(size, false, reg_bit(d));
  if (!src.is_mem) c.maybe_load(size, src.reg);
  if (kind == 1) {
    c.emit.insn(ZYDIS_MNEMONIC_IMUL, {opnd::reg(gpr(size, d)), src.op});
  } else {
    const int64_t imm = c.rng.chance(50) ? c.rng.range(-128, 127) : sign_extend(c.rng.interesting(size), 8 * size);
    c.emit.insn(ZYDIS_MNEMONIC_IMUL, {opnd::reg(gpr(size, d)), src.op, opnd::imm(imm)});
  }
}

// Dividend (2*bits wide, as unsigned bits) and divisor for a division that mostly succeeds.
struct Division {
  uint64_t dividend;
  uint32_t divisor;
};

Division make_division(GenContext& c, unsigned bits, bool is_signed) {
  const uint64_t mask = bits == 32 ? 0xFFFFFFFFull : (1ull << bits) - 1;
  Division dv;
  if (c.rng.chance(6)) {  // divide by zero or (likely) overflow
    dv.divisor = c.rng.chance(50) ? 0 : c.rng.interesting(bits / 8);
    dv.dividend = c.rng.next();
    if (is_signed && c.rng.chance(50)) {  // the classic INT_MIN / -1
      dv.divisor = uint32_t(mask);
      dv.dividend = uint64_t(-(int64_t(1) << (bits - 1)));
    }
    return dv;
  }
  uint32_t d = c.rng.interesting(bits / 8);
  if (d == 0) d = 1;
  if (!is_signed) {
    const uint64_t q = c.rng.interesting(bits / 8) & mask;
    const uint64_t r = c.rng.next() % d;
    dv = {q * d + r, d};
    return dv;
  }
  const int64_t sd = sign_extend(d, bits);
  const int64_t q = sign_extend(c.rng.interesting(bits / 8), bits);
  const int64_t product = q * sd;
  const uint64_t abs_d = uint64_t(sd < 0 ? -sd : sd);
  int64_t r = int64_t(c.rng.next() % abs_d);
  if (product < 0 || (product == 0 && c.rng.chance(50))) r = -r;
  dv = {uint64_t(product + r), d};
  return dv;
}

void divide(GenContext& c) {
  const unsigned size = c.pick_size();
  const unsigned bits = 8 * size;
  const bool is_signed = c.rng.chance(50);
  const Division dv = make_division(c, bits, is_signed);
  // Dividend: AX (8-bit), DX:AX or EDX:EAX.
  if (size == 1) {
    c.load(2, 0, uint32_t(dv.dividend & 0xFFFF));
  } else {
    c.load(size, 2, uint32_t(dv.dividend >> bits));
    c.load(size, 0, uint32_t(dv.dividend));
  }
  const RegMask acc = RegMask(reg_bit(0) | reg_bit(2));
  ZydisEncoderOperand src;
  bool is_mem = c.rng.chance(40);
  if (is_mem) {
    const uint32_t addr = c.pick_address(size, Window::Data);
    MemOptions o;
    o.avoid = acc;
    o.write = true;
    c.emit.insn(ZYDIS_MNEMONIC_MOV, {c.mem_at(size, addr, o), opnd::imm(sign_extend(dv.divisor, bits))});
    src = c.mem_at(size, addr, o);
  } else {
    const unsigned r = size == 1 ? c.pick_reg(4, true, acc) : c.pick_reg(size, true, acc);  // 8-bit: CL DL BL (not AL/AH)
    c.load(size, r, dv.divisor);
    src = opnd::reg(gpr(size, r));
  }
  c.emit.insn(is_signed ? ZYDIS_MNEMONIC_IDIV : ZYDIS_MNEMONIC_DIV, {src}, is_mem ? c.maybe_segment(false) : 0);
}

}  // namespace

void gen_muldiv(GenContext& c) {
  if (c.rng.chance(50)) multiply(c);
  else divide(c);
}

}  // namespace difftest
