// Comparison of a native result with the interpreter's: outcome (end of sequence or exception
// vector and faulting EIP), the eight GPRs, the status flags and DF that the executed
// instructions leave defined, the x87 state (CW, SW without undefined condition codes, tag word,
// non-empty registers bit-exact), and every byte of both data pages.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "protocol.h"
#include "test_case.h"

namespace difftest {

struct Difference {
  std::string field;   // "EAX", "EFLAGS", "ST(2)", "mem[0x180010]", "outcome", ...
  std::string native, interp;
};

// Flags that were not compared because the sequence left them undefined (for the report).
UndefinedFlags undefined_at_end(const TestCase& tc, const dt_result& native);

std::vector<Difference> compare_results(const TestCase& tc, const dt_result& native, const dt_result& interp);

// "done at 0x100012" / "#DE at 0x100004" / "did not finish (EIP 0x...)".
std::string describe_outcome(const dt_result& r);

}  // namespace difftest
