// Hardware breakpoints of the debug registers (Intel SDM vol. 3, ch. 17): DR7 decoded into the
// four breakpoint ranges and which of them are enabled instruction, data or I/O breakpoints, and
// the matching of an instruction address, a data access or a port access against them. Plain
// data and pure functions; Cpu acts on the results (debug_step.cpp, memory.cpp).
#pragma once
#include <cstdint>

namespace bt86 {

// DR6 status bits.
namespace dr6 {
constexpr uint32_t B_ALL = 0xF;  // B0-B3: breakpoint n's condition was met
constexpr uint32_t BD = 1u << 13, BS = 1u << 14, BT = 1u << 15;
}  // namespace dr6
// DR7 control bits.
namespace dr7 {
constexpr uint32_t LOCAL_ENABLES = 0x55 | 1u << 8;  // L0-L3 and LE: cleared by task switches
constexpr uint32_t GD = 1u << 13;                   // general detect: #DB on MOV DRn
}  // namespace dr7

struct Breakpoints {
  // Masks over breakpoints 0-3 (bit n = DRn) by kind, for those enabled by L/G bits in DR7.
  uint8_t exec_enabled = 0;   // R/W = 00
  uint8_t data_enabled = 0;   // R/W = 01 (write) or 11 (read/write)
  uint8_t io_enabled = 0;     // R/W = 10 with CR4.DE = 1
  // Every breakpoint's condition, enabled or not (DR6 reports matches of disabled ones too).
  uint8_t rw[4] = {};         // R/W field
  uint32_t first[4] = {};     // DRn aligned down to its length
  uint32_t last[4] = {};      // last byte covered

  // Re-reads DR0-DR3 and DR7 (`dr`) under CR4.DE (`de`).
  void decode(const uint32_t dr[8], bool de);
  bool any_enabled() const { return exec_enabled | data_enabled | io_enabled; }

  // Masks of breakpoints (enabled or not) whose condition the event meets.
  uint8_t match_exec(uint32_t lin) const;
  uint8_t match_data(uint32_t lin, unsigned size, bool write) const;
  uint8_t match_io(uint16_t port, unsigned size, bool de) const;
  // Does linear page `lin` (any address in it) hold an enabled data breakpoint?
  bool watches_page(uint32_t lin) const;
};

}  // namespace bt86
