// x87 FPU (and the SSE register file saved by FXSAVE) state.
// Physical registers R0-R7 are kept as host 80-bit long doubles: the host CPU *is* an x87, and
// x87 instructions are executed on it with the guest's control word loaded (see fpu_*.cpp).
// TOP lives in bits 11-13 of `sw`; `tw` is the full 2-bit-per-register tag word.
#pragma once
#include <cstdint>

namespace bt86 {

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

  unsigned top() const { return (sw >> 11) & 7; }
  void set_top(unsigned t) { sw = uint16_t((sw & ~0x3800u) | ((t & 7u) << 11)); }
};

}  // namespace bt86
