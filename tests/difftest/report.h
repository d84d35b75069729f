// Human-readable failure reports: the sequence disassembled with Capstone (address, bytes,
// text), its bytes in hex for reassembly, the initial state, both final states and the list of
// differing fields, plus the command line that replays the case.
#pragma once
#include <cstdio>
#include <string>
#include <vector>
#include "compare.h"
#include "test_case.h"

namespace difftest {

// Capstone disassembly of the test's code, one instruction per line (with a marker "=>" at
// `mark_eip` if non-zero).
std::string disassemble(const std::vector<uint8_t>& code, uint32_t mark_eip = 0);

void print_failure(FILE* out, const TestCase& tc, const dt_result& native, const dt_result& interp,
                   const std::vector<Difference>& diffs, const std::string& replay_command);

// Short initial/final state listing (used by --verbose and in failures).
void print_state(FILE* out, const char* title, const uint32_t gpr[8], uint32_t eflags, const uint8_t* fpu);

}  // namespace difftest
