// Decoding of DR7 into breakpoint ranges and matching of events against them (see
// debug_breakpoints.h). Lengths per the P6: LEN 00 = 1 byte, 01 = 2, 11 = 4; 10 is undefined on
// this processor and taken as 8 bytes, as later processors define it. A breakpoint covers DRn
// aligned down to its length.
#include "cpu/debug_breakpoints.h"

namespace bt86 {

namespace {
constexpr unsigned kLength[4] = {1, 2, 8, 4};
constexpr uint8_t kRwExec = 0, kRwWrite = 1, kRwIo = 2, kRwReadWrite = 3;

bool overlaps(uint32_t a_first, uint32_t a_last, uint32_t b_first, uint32_t b_last) {
  return a_first <= b_last && b_first <= a_last;
}
}  // namespace

void Breakpoints::decode(const uint32_t dr[8], bool de) {
  const uint32_t control = dr[7];
  exec_enabled = data_enabled = io_enabled = 0;
  for (unsigned n = 0; n < 4; ++n) {
    rw[n] = (control >> (16 + 4 * n)) & 3;
    const unsigned len = kLength[(control >> (18 + 4 * n)) & 3];
    first[n] = dr[n] & ~(len - 1);
    last[n] = first[n] + len - 1;
    if (!((control >> (2 * n)) & 3)) continue;  // neither Ln nor Gn
    const uint8_t bit = uint8_t(1u << n);
    if (rw[n] == kRwExec) exec_enabled |= bit;
    else if (rw[n] == kRwIo) io_enabled |= de ? bit : 0;  // without DE, R/W = 10 is undefined
    else data_enabled |= bit;
  }
}

uint8_t Breakpoints::match_exec(uint32_t lin) const {
  uint8_t m = 0;
  for (unsigned n = 0; n < 4; ++n)
    if (rw[n] == kRwExec && lin >= first[n] && lin <= last[n]) m |= uint8_t(1u << n);
  return m;
}

uint8_t Breakpoints::match_data(uint32_t lin, unsigned size, bool write) const {
  uint8_t m = 0;
  for (unsigned n = 0; n < 4; ++n) {
    const bool kind = rw[n] == kRwReadWrite || (write && rw[n] == kRwWrite);
    if (kind && overlaps(lin, lin + size - 1, first[n], last[n])) m |= uint8_t(1u << n);
  }
  return m;
}

uint8_t Breakpoints::match_io(uint16_t port, unsigned size, bool de) const {
  if (!de) return 0;
  uint8_t m = 0;
  for (unsigned n = 0; n < 4; ++n)
    if (rw[n] == kRwIo && overlaps(port, port + size - 1, first[n] & 0xFFFF, last[n] & 0xFFFF))
      m |= uint8_t(1u << n);
  return m;
}

bool Breakpoints::watches_page(uint32_t lin) const {
  for (unsigned n = 0; n < 4; ++n)
    if ((data_enabled >> n) & 1) {
      // A breakpoint never crosses a page: it is aligned to its length.
      if ((first[n] >> 12) == (lin >> 12)) return true;
    }
  return false;
}

}  // namespace bt86
