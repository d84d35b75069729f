// Helpers for the integer-instruction tests (test_ops_*.cpp): run a nasm snippet to its HLT and
// read back the six status flags.
#pragma once
#include <string>
#include "cpu_fixture.h"

namespace bt86 {

// Assembles `src`, appends HLT, runs it. The fixture's mode decides bits 32 / bits 16. Blocks
// decoded by an earlier snippet at the same address are dropped first (load_asm writes memory
// behind the CPU's back).
inline void run_asm(CpuFixture& f, const std::string& src) {
  f.cpu.mmu.code_pages.invalidate_all();
  f.load_asm(src + "\nhlt");
  f.run();
}

// The six status flags (CF PF AF ZF SF OF) of the guest.
inline uint32_t status_flags(const CpuFixture& f) { return f.cpu.s.eflags & fl::ARITH; }

}  // namespace bt86
