// GenContext: register choice, value loads, memory operands that land inside the data pages,
// and the always-known stack pointer (see generator.h).
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include "generator.h"

namespace difftest {

namespace {
constexpr uint32_t window_base(Window w) { return w == Window::Low ? DT_LOW_ADDR : DT_DATA_ADDR; }
constexpr unsigned kFaultPerMille = 7;  // deliberately faulting memory operands
}  // namespace

ZydisRegister gpr(unsigned size, unsigned n) {
  static const ZydisRegister r8[] = {ZYDIS_REGISTER_AL, ZYDIS_REGISTER_CL, ZYDIS_REGISTER_DL, ZYDIS_REGISTER_BL,
                                     ZYDIS_REGISTER_AH, ZYDIS_REGISTER_CH, ZYDIS_REGISTER_DH, ZYDIS_REGISTER_BH};
  static const ZydisRegister r16[] = {ZYDIS_REGISTER_AX, ZYDIS_REGISTER_CX, ZYDIS_REGISTER_DX, ZYDIS_REGISTER_BX,
                                      ZYDIS_REGISTER_SP, ZYDIS_REGISTER_BP, ZYDIS_REGISTER_SI, ZYDIS_REGISTER_DI};
  static const ZydisRegister r32[] = {ZYDIS_REGISTER_EAX, ZYDIS_REGISTER_ECX, ZYDIS_REGISTER_EDX,
                                      ZYDIS_REGISTER_EBX, ZYDIS_REGISTER_ESP, ZYDIS_REGISTER_EBP,
                                      ZYDIS_REGISTER_ESI, ZYDIS_REGISTER_EDI};
  n &= 7;
  return size == 1 ? r8[n] : size == 2 ? r16[n] : r32[n];
}

GenContext::GenContext(TestCase& t, Rng& r, bool low)
    : rng(r), emit(t, r), tc(t), low_window(low), esp(t.init.gpr[kEsp]), df(t.init.eflags & 0x400) {}

unsigned GenContext::pick_size() {
  unsigned k = rng.below(20);
  return k < 6 ? 1 : k < 11 ? 2 : 4;
}

unsigned GenContext::pick_reg(unsigned size, bool dest, RegMask avoid) {
  for (int attempt = 0; attempt < 32; ++attempt) {
    unsigned n = rng.below(8);
    if (dest && size != 1 && n == kEsp) continue;
    if (avoid & reg_bit(full_reg(size, n))) continue;
    return n;
  }
  for (unsigned n = 0; n < 8; ++n)
    if (!(dest && size != 1 && n == kEsp) && !(avoid & reg_bit(full_reg(size, n)))) return n;
  return 0;
}

void GenContext::load(unsigned size, unsigned n, uint32_t value) {
  if (size != 1 && n == kEsp) throw std::logic_error("a template loads ESP outside set_esp()");
  const int64_t imm = size == 1 ? int8_t(value) : size == 2 ? int16_t(value) : int32_t(value);  // as Zydis wants it
  emit.insn(ZYDIS_MNEMONIC_MOV, {opnd::reg(gpr(size, n)), opnd::imm(imm)});
}

void GenContext::maybe_load(unsigned size, unsigned n, unsigned pct) {
  if (size != 1 && n == kEsp) return;
  if (rng.chance(pct)) load(size, n, rng.interesting(size));
}

uint32_t GenContext::pick_address(unsigned size, Window w, unsigned align, unsigned below, unsigned above) {
  const uint32_t lo = window_base(w) + below;
  const uint32_t hi = window_base(w) + DT_PAGE - size - above;  // last valid start
  uint32_t a;
  switch (rng.below(8)) {
    case 0: a = lo + rng.below(16); break;                       // near the start of the page
    case 1: a = hi - rng.below(16); break;                       // near its end
    default: a = lo + rng.below(hi - lo + 1); break;
  }
  a = std::clamp(a, lo, hi);
  a -= (a - window_base(w)) % align;
  return a < lo ? a + align : a;
}

ZydisInstructionAttributes GenContext::maybe_segment(bool write) {
  if (!rng.chance(10)) return 0;
  switch (rng.below(write ? 3 : 4)) {
    case 0: return ZYDIS_ATTRIB_HAS_SEGMENT_ES;
    case 1: return ZYDIS_ATTRIB_HAS_SEGMENT_SS;
    case 2: return ZYDIS_ATTRIB_HAS_SEGMENT_DS;
    default: return ZYDIS_ATTRIB_HAS_SEGMENT_CS;  // readable code segment
  }
}

uint32_t GenContext::choose_address(unsigned size, const MemOptions& o) {
  const Window w = (o.window == Window::Low && !low_window) ? Window::Data : o.window;
  if (o.may_fault && rng.below(1000) < kFaultPerMille) {
    // Crosses the end of the page, starts before it, or lies in the unmapped page after it.
    switch (rng.below(3)) {
      case 0: return window_base(w) + DT_PAGE - (size > 1 ? 1 + rng.below(size - 1) : 0);
      case 1: return window_base(w) - 1 - rng.below(8);
      default: return window_base(w) + DT_PAGE + rng.below(DT_PAGE - size);
    }
  }
  return pick_address(size, w, o.align);
}

ZydisEncoderOperand GenContext::mem(unsigned size, const MemOptions& o, uint32_t* addr_out) {
  const uint32_t addr = choose_address(size, o);
  if (addr_out) *addr_out = addr;
  return mem_at(size, addr, o);
}

ZydisEncoderOperand GenContext::mem_at(unsigned size, uint32_t addr, const MemOptions& o) {
  const RegMask avoid = RegMask(o.avoid | reg_bit(kEsp));
  if (o.window == Window::Low && low_window) {
    // 16-bit addressing: [BX|BP] + [SI|DI] + disp, modulo 64 KiB; the upper register halves
    // are random and must be ignored.
    static const ZydisRegister bases[] = {ZYDIS_REGISTER_BX, ZYDIS_REGISTER_BP, ZYDIS_REGISTER_NONE};
    static const ZydisRegister indexes[] = {ZYDIS_REGISTER_SI, ZYDIS_REGISTER_DI, ZYDIS_REGISTER_NONE};
    static const unsigned base_num[] = {3, 5, 0}, index_num[] = {6, 7, 0};
    for (int attempt = 0; attempt < 16; ++attempt) {
      unsigned b = rng.below(3), x = rng.below(3);
      if (b == 2 && x == 2) continue;  // [disp16] alone would need an address-size hint
      if ((b < 2 && (avoid & reg_bit(base_num[b]))) || (x < 2 && (avoid & reg_bit(index_num[x])))) continue;
      int32_t disp = rng.chance(30) ? 0 : rng.chance(50) ? rng.range(-128, 127) : int32_t(rng.u32() & 0xFFFF);
      uint32_t rest = addr - uint32_t(disp);
      uint32_t xv = x < 2 ? (b < 2 ? rng.u32() : rest) : 0;
      uint32_t bv = rest - xv;
      if (b < 2) load(4, base_num[b], (rng.u32() << 16) | (bv & 0xFFFF));
      if (x < 2) load(4, index_num[x], (rng.u32() << 16) | (xv & 0xFFFF));
      if (disp < -128 || disp > 127) disp = int16_t(disp);
      if (b == 2) return opnd::mem(size, indexes[x], ZYDIS_REGISTER_NONE, 0, disp);  // lone SI/DI: Zydis's "base"
      return opnd::mem(size, bases[b], indexes[x], x < 2 ? 1 : 0, disp);
    }
    // Every 16-bit addressing register is taken: fall back to 32-bit addressing.
  }

  auto disp_for = [&](void) -> int32_t {
    switch (rng.below(3)) {
      case 0: return 0;
      case 1: return rng.range(-128, 127);
      default: return int32_t(rng.u32());
    }
  };
  const unsigned base = pick_reg(4, true, avoid);
  const bool base_ok = !(avoid & reg_bit(base)) && base != kEsp;
  switch (rng.below(8)) {
    case 0:
      return opnd::mem(size, ZYDIS_REGISTER_NONE, ZYDIS_REGISTER_NONE, 0, int32_t(addr));
    case 1: case 2: {  // [base + disp]
      if (!base_ok) break;
      int32_t d = disp_for();
      load(4, base, addr - uint32_t(d));
      return opnd::mem(size, gpr(4, base), ZYDIS_REGISTER_NONE, 0, d);
    }
    case 3: case 4: {  // [base + index*scale + disp]
      const unsigned index = pick_reg(4, true, RegMask(avoid | reg_bit(base)));
      if (!base_ok || index == base || (avoid & reg_bit(index))) break;
      const unsigned scale = rng.pick({1u, 2u, 4u, 8u});
      const uint32_t iv = rng.chance(50) ? uint32_t(rng.range(-64, 64)) : rng.u32();
      int32_t d = disp_for();
      load(4, index, iv);
      load(4, base, addr - iv * scale - uint32_t(d));
      return opnd::mem(size, gpr(4, base), gpr(4, index), scale, d);
    }
    case 5: {  // [index*scale + disp32]
      if (!base_ok) break;
      const unsigned scale = rng.pick({1u, 2u, 4u, 8u});
      const uint32_t iv = rng.u32();
      load(4, base, iv);
      return opnd::mem(size, ZYDIS_REGISTER_NONE, gpr(4, base), scale, int32_t(addr - iv * scale));
    }
    case 6: {  // [esp + disp] (ESP is always known)
      int32_t d = int32_t(addr - esp);
      return opnd::mem(size, ZYDIS_REGISTER_ESP, ZYDIS_REGISTER_NONE, 0, d);
    }
    default: {  // [esp + index*scale + disp]
      const unsigned index = pick_reg(4, true, avoid);
      if (avoid & reg_bit(index)) break;
      const unsigned scale = rng.pick({1u, 2u, 4u, 8u});
      const uint32_t iv = uint32_t(rng.range(-300, 300));
      load(4, index, iv);
      return opnd::mem(size, ZYDIS_REGISTER_ESP, gpr(4, index), scale, int32_t(addr - esp - iv * scale));
    }
  }
  return opnd::mem(size, ZYDIS_REGISTER_NONE, ZYDIS_REGISTER_NONE, 0, int32_t(addr));
}

GenContext::Rm GenContext::rm(unsigned size, bool dest, RegMask avoid, unsigned mem_pct) {
  if (rng.chance(mem_pct)) {
    MemOptions o;
    o.avoid = avoid;
    o.write = dest;
    return {mem(size, o), true, 0};
  }
  const unsigned n = pick_reg(size, dest);
  return {opnd::reg(gpr(size, n)), false, n};
}

void GenContext::poke(uint32_t addr, const void* bytes, size_t n) {
  for (size_t k = 0; k < n; ++k, ++addr) {
    const uint8_t b = static_cast<const uint8_t*>(bytes)[k];
    if (addr - DT_DATA_ADDR < DT_PAGE) tc.init.data[addr - DT_DATA_ADDR] = b;
    else if (addr - DT_LOW_ADDR < DT_PAGE) tc.init.low[addr - DT_LOW_ADDR] = b;
  }
}

void GenContext::set_esp(uint32_t v) {
  emit.insn(ZYDIS_MNEMONIC_MOV, {opnd::reg(ZYDIS_REGISTER_ESP), opnd::imm(int32_t(v))});
  esp = v;
}

void GenContext::ensure_stack(unsigned below, unsigned above) {
  if (esp >= DT_DATA_ADDR + below && esp + above <= DT_DATA_ADDR + DT_PAGE) return;
  uint32_t v = pick_address(1, Window::Data, 1, below + 8, above + 8);
  if (!rng.chance(10)) v &= ~3u;
  set_esp(v);
}

}  // namespace difftest
