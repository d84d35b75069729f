// Forwarding of PhysMem content changes to the CPU's decoded-code invalidation (see
// code_tracking.h). The block cache indexes blocks by page, so ranges are split per page.
#include "machine/code_tracking.h"

#include <algorithm>

namespace bt86 {

ListenerId track_content_changes(PhysMem& mem, Cpu& cpu) {
  return mem.add_content_listener([&cpu](uint32_t paddr, uint32_t size) {
    const uint64_t end = uint64_t(paddr) + size;
    for (uint64_t a = paddr; a < end; a = (a | 0xFFF) + 1) {
      const uint32_t in_page = uint32_t(std::min<uint64_t>(end, (a | 0xFFF) + 1) - a);
      if (cpu.mmu.code_pages.has_code(uint32_t(a))) cpu.mmu.note_code_write(uint32_t(a), in_page);
    }
  }, &cpu);
}

}  // namespace bt86
