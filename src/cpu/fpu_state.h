// x87 FPU (and the SSE register file saved by FXSAVE) state.
// Physical registers R0-R7 are kept as host 80-bit long doubles: the host CPU *is* an x87, and
// x87 instructions are executed on it with the guest's control word loaded (see fpu_host.h).
// TOP lives in bits 11-13 of `sw`; `tw` is the full 2-bit-per-register tag word (R0 in bits 0-1),
// always consistent with the register contents (as the hardware recomputes it).
#pragma once
#include <cstdint>
#include <cstring>

namespace bt86 {

// Status word bits.
namespace fsw {
constexpr uint16_t IE = 1u << 0, DE = 1u << 1, ZE = 1u << 2, OE = 1u << 3, UE = 1u << 4, PE = 1u << 5;
constexpr uint16_t SF = 1u << 6, ES = 1u << 7, C0 = 1u << 8, C1 = 1u << 9, C2 = 1u << 10;
constexpr uint16_t TOP = 7u << 11, C3 = 1u << 14, B = 1u << 15;
constexpr uint16_t EXCEPTIONS = IE | DE | ZE | OE | UE | PE;  // the six sticky exception flags
constexpr uint16_t CC = C0 | C1 | C2 | C3;                    // condition codes
}  // namespace fsw

// Control word bits. Bit 6 always reads 1 and bits 7, 13-15 read 0 (kept that way on load).
namespace fcw {
constexpr uint16_t MASKS = 0x3F;   // IM DM ZM OM UM PM: one per fsw exception flag
constexpr uint16_t WRITABLE = 0x1F3F, FORCED_ONE = 0x0040;
constexpr uint16_t INIT = 0x037F;  // FNINIT: all masked, 64-bit precision, round to nearest
}  // namespace fcw

// Two-bit register tags.
namespace ftag {
constexpr unsigned Valid = 0, Zero = 1, Special = 2, Empty = 3;
}

// MXCSR bits FXRSTOR accepts (reported in the FXSAVE area): all defined SSE bits except DAZ,
// as on P6-class processors.
constexpr uint32_t kMxcsrMask = 0x0000FFBF;

struct FpuState {
  long double regs[8] = {};  // physical registers R0..R7
  uint16_t cw = 0x037F;
  uint16_t sw = 0;
  uint16_t tw = 0xFFFF;      // all empty
  uint16_t fop = 0;          // last non-control opcode (11 bits)
  uint32_t fip = 0, fdp = 0; // last instruction / data pointer (offsets)
  uint16_t fcs = 0, fds = 0; // their selectors
  uint32_t mxcsr = 0x1F80;
  alignas(16) uint8_t xmm[8][16] = {};

  // FNINIT (also the second half of FNSAVE): registers keep their contents but are all empty.
  void init() {
    cw = fcw::INIT;
    sw = 0;
    tw = 0xFFFF;
    fip = fdp = 0;
    fcs = fds = 0;
    fop = 0;
  }

  unsigned top() const { return (sw >> 11) & 7; }
  void set_top(unsigned t) { sw = uint16_t((sw & ~0x3800u) | ((t & 7u) << 11)); }

  // Physical register number of ST(i), and that register's tag.
  unsigned phys(unsigned i) const { return (top() + i) & 7; }
  unsigned tag(unsigned physical) const { return (tw >> (2 * physical)) & 3; }

  // The 10 significant bytes of a register (the 80-bit extended format).
  void get_reg80(unsigned physical, uint8_t out[10]) const { std::memcpy(out, &regs[physical], 10); }
  void set_reg80(unsigned physical, const uint8_t in[10]) {
    std::memset(&regs[physical], 0, sizeof regs[physical]);  // clear the padding bytes too
    std::memcpy(&regs[physical], in, 10);
  }

  // Tag the hardware gives a non-empty register from its contents: zero, special (NaN, infinity,
  // denormal, pseudo-denormal, unnormal) or valid.
  unsigned content_tag(unsigned physical) const {
    uint8_t r[10];
    get_reg80(physical, r);
    uint64_t mant;
    std::memcpy(&mant, r, 8);
    unsigned exp = (r[8] | (r[9] << 8)) & 0x7FFF;
    if (exp == 0x7FFF) return ftag::Special;
    if (exp == 0) return mant == 0 ? ftag::Zero : ftag::Special;
    return (mant >> 63) ? ftag::Valid : ftag::Special;
  }
  // Install a tag word of which only empty / non-empty counts (FLDENV, FRSTOR, FXRSTOR): the
  // tags of non-empty registers are recomputed from their contents.
  void load_tags(uint16_t image) {
    uint16_t t = 0;
    for (unsigned p = 0; p < 8; ++p) {
      unsigned tag = ((image >> (2 * p)) & 3) == ftag::Empty ? ftag::Empty : content_tag(p);
      t = uint16_t(t | (tag << (2 * p)));
    }
    tw = t;
  }

  // ES and B summarise "an unmasked exception flag is set" (the hardware recomputes them whenever
  // the flags or the masks change, e.g. after FLDCW, FLDENV or FNSTENV).
  void sync_summary() {
    bool pending = (sw & fsw::EXCEPTIONS & ~cw) != 0;
    sw = uint16_t(pending ? (sw | fsw::ES | fsw::B) : (sw & ~(fsw::ES | fsw::B)));
  }
  bool exception_pending() const { return sw & fsw::ES; }
};

}  // namespace bt86
