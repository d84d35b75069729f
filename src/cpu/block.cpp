// Block keys' mode word and terminal names. See block.h.
#include "cpu/block.h"
#include "cpu/cpu_state.h"

namespace bt86 {

uint32_t block_mode_of(const CpuState& s) {
  using namespace block_mode;
  uint32_t m = uint32_t(s.cpl) << CPL_SHIFT | uint32_t(s.iopl()) << IOPL_SHIFT |
               ((s.cr0 >> 1) & 7u) << FPU_SHIFT;  // CR0 bits 1-3: MP, EM, TS
  if (s.code32()) m |= CODE32;
  if (s.stack32()) m |= STACK32;
  if (s.protected_mode()) m |= PE;
  if (s.v86()) m |= VM86;
  if (s.paging()) m |= PG;
  if (s.seg[CS].flat() && s.seg[SS].flat_data() && s.seg[DS].flat_data() && s.seg[ES].flat_data())
    m |= FLAT;
  if (s.alignment_checked()) m |= ALIGN_CHECK;
  return m;
}

const char* terminal_name(Terminal t) {
  switch (t) {
    case Terminal::None: return "none";
    case Terminal::FallThrough: return "fall-through";
    case Terminal::Jump: return "jump";
    case Terminal::Conditional: return "conditional";
    case Terminal::Indirect: return "indirect";
    case Terminal::Return: return "return";
    case Terminal::Callout: return "callout";
    case Terminal::InterruptCheck: return "interrupt-check";
    case Terminal::Fallback: return "fallback";
  }
  return "?";
}

}  // namespace bt86
