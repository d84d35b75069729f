// Groups "x87" and "x87exc": loads (FLD m32/m64/m80/ST(i), FILD, FBLD, constants), stores
// (FST/FSTP, FIST/FISTP, FBSTP), stack management (FXCH, FFREE, FINCSTP, FDECSTP), control
// (FLDCW with rounding/precision changes, FNSTCW, FNSTSW, FNCLEX, FNINIT, FWAIT). "x87" keeps
// every exception masked; "x87exc" unmasks some, so #MF is raised at the next waiting x87
// instruction on both sides (Linux runs with CR0.NE=1).
#include <cstring>
#include "gen_x87.h"
#include "x87_values.h"

namespace difftest {

unsigned fpu_mem_size(FpuMem k) {
  switch (k) {
    case FpuMem::F32: case FpuMem::I32: return 4;
    case FpuMem::F64: case FpuMem::I64: return 8;
    case FpuMem::I16: return 2;
    default: return 10;
  }
}

ZydisEncoderOperand x87_mem(GenContext& c, FpuMem k, bool write) {
  const unsigned size = fpu_mem_size(k);
  MemOptions o;
  o.write = write;
  // Stores never get a deliberately faulting address: where they fault the processors differ
  // (an Intel Xeon skips the store and its #PF when an unmasked exception is pending, and writes
  // the part of an 80-bit store before a page end before faulting; AMD EPYC and bt86 fault first
  // and write nothing), and the oracle is whatever host runs the test (docs/difftest.md).
  o.may_fault = !write;
  const uint32_t addr = c.choose_address(size, o);
  if (!write) {
    uint8_t v[10] = {};
    switch (k) {
      case FpuMem::F32: { uint32_t x = random_f32(c.rng); std::memcpy(v, &x, 4); break; }
      case FpuMem::F64: { uint64_t x = random_f64(c.rng); std::memcpy(v, &x, 8); break; }
      case FpuMem::F80: { Ext80 x = random_ext80(c.rng); std::memcpy(v, &x.mant, 8); std::memcpy(v + 8, &x.se, 2); break; }
      case FpuMem::Bcd: random_bcd(c.rng, v); break;
      default: { uint64_t x = random_int64(c.rng, size); std::memcpy(v, &x, size); break; }
    }
    c.poke(addr, v, size);
  }
  return c.mem_at(size, addr, o);
}

void x87_load(GenContext& c) {
  switch (c.rng.below(6)) {
    case 0: c.emit.insn(ZYDIS_MNEMONIC_FLD, {x87_mem(c, c.rng.pick({FpuMem::F32, FpuMem::F64, FpuMem::F80}), false)}); break;
    case 1: c.emit.insn(ZYDIS_MNEMONIC_FILD, {x87_mem(c, c.rng.pick({FpuMem::I16, FpuMem::I32, FpuMem::I64}), false)}); break;
    case 2: c.emit.insn(ZYDIS_MNEMONIC_FBLD, {x87_mem(c, FpuMem::Bcd, false)}); break;
    case 3: c.emit.raw({0xD9, uint8_t(0xC0 + c.rng.below(8))}); break;               // FLD ST(i)
    default: c.emit.raw({0xD9, uint8_t(0xE8 + c.rng.pick({0u, 1u, 2u, 3u, 4u, 5u, 6u}))}); break;  // FLD1..FLDZ
  }
}

void x87_store(GenContext& c) {
  switch (c.rng.below(7)) {
    case 0: c.emit.insn(ZYDIS_MNEMONIC_FST, {x87_mem(c, c.rng.pick({FpuMem::F32, FpuMem::F64}), true)}); break;
    case 1: c.emit.insn(ZYDIS_MNEMONIC_FSTP, {x87_mem(c, c.rng.pick({FpuMem::F32, FpuMem::F64, FpuMem::F80}), true)}); break;
    case 2: c.emit.insn(ZYDIS_MNEMONIC_FIST, {x87_mem(c, c.rng.pick({FpuMem::I16, FpuMem::I32}), true)}); break;
    case 3: c.emit.insn(ZYDIS_MNEMONIC_FISTP, {x87_mem(c, c.rng.pick({FpuMem::I16, FpuMem::I32, FpuMem::I64}), true)}); break;
    case 4: c.emit.insn(ZYDIS_MNEMONIC_FBSTP, {x87_mem(c, FpuMem::Bcd, true)}); break;
    case 5: c.emit.raw({0xDD, uint8_t(0xD0 + c.rng.below(8))}); break;  // FST ST(i)
    default: c.emit.raw({0xDD, uint8_t(0xD8 + c.rng.below(8))}); break;  // FSTP ST(i)
  }
}

void x87_stack(GenContext& c) {
  switch (c.rng.below(5)) {
    case 0: case 1: c.emit.raw({0xD9, uint8_t(0xC8 + c.rng.below(8))}); break;  // FXCH ST(i)
    case 2: c.emit.raw({0xDD, uint8_t(0xC0 + c.rng.below(8))}); break;          // FFREE ST(i)
    case 3: c.emit.raw({0xD9, 0xF7}); break;                                    // FINCSTP
    default: c.emit.raw({0xD9, 0xF6}); break;                                   // FDECSTP
  }
}

// Control word: random rounding and precision control (including the reserved PC=01); with
// `unmask`, some exception masks cleared.
void x87_control(GenContext& c, bool unmask) {
  switch (c.rng.below(unmask ? 2 : 8)) {
    case 0: case 1: case 2: case 3: {  // FLDCW m16
      uint16_t cw = uint16_t(0x0040 | (c.rng.below(4) << 8) | (c.rng.below(4) << 10) | 0x3F);
      if (unmask) cw = uint16_t(cw & ~(1u << c.rng.below(6)) & ~(c.rng.chance(20) ? c.rng.u32() & 0x3F : 0));
      if (c.rng.chance(10)) cw = uint16_t(cw | (c.rng.u32() & 0xE080));  // reserved bits
      MemOptions o;
      const uint32_t addr = c.choose_address(2, o);
      c.poke(addr, &cw, 2);
      c.emit.insn(ZYDIS_MNEMONIC_FLDCW, {c.mem_at(2, addr, o)});
      break;
    }
    case 4: c.emit.insn(ZYDIS_MNEMONIC_FNSTCW, {x87_mem(c, FpuMem::I16, true)}); break;
    case 5:
      if (c.rng.chance(50)) c.emit.raw({0xDF, 0xE0});  // FNSTSW AX
      else c.emit.insn(ZYDIS_MNEMONIC_FNSTSW, {x87_mem(c, FpuMem::I16, true)});
      break;
    case 6: c.emit.raw({0xDB, 0xE2}); break;  // FNCLEX
    default:
      if (c.rng.chance(80)) c.emit.raw({0x9B});  // FWAIT
      else c.emit.raw({0xDB, 0xE3});             // FNINIT
      break;
  }
}

namespace {

void x87_any(GenContext& c) {
  switch (c.rng.below(12)) {
    case 0: case 1: x87_load(c); break;
    case 2: x87_store(c); break;
    case 3: x87_stack(c); break;
    case 4: x87_control(c, false); break;
    case 5: case 6: x87_arith(c); break;
    case 7: case 8: x87_unary(c); break;
    case 9: case 10: x87_compare(c); break;
    default: x87_fcmov(c); break;
  }
}

}  // namespace

void gen_x87(GenContext& c) { x87_any(c); }

void gen_x87_exceptions(GenContext& c) {
  x87_control(c, true);
  const unsigned n = 1 + c.rng.below(3);
  for (unsigned k = 0; k < n; ++k) x87_any(c);
  if (c.rng.chance(40)) c.emit.raw({0x9B});  // FWAIT: delivers a pending unmasked exception
}

}  // namespace difftest
