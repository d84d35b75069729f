// One generated test: the code of the sequence, what each instruction does to the flags (so the
// comparator can ignore flags left undefined), and the initial machine state.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "protocol.h"

namespace difftest {

// Flag effects of one instruction, after the generator's corrections for what it knows about
// the operands (e.g. a shift count of 0 writes no flag).
struct InsnRecord {
  uint16_t offset = 0;       // from DT_CODE_ADDR
  uint8_t len = 0;
  uint32_t cpu_written = 0;  // EFLAGS bits this instruction writes (defined or not)
  uint32_t cpu_undefined = 0;  // subset of cpu_written left undefined
  uint8_t fpu_written = 0;   // x87 C0-C3 (bit n = Cn) written
  uint8_t fpu_undefined = 0; // subset of fpu_written left undefined
  bool cut_ok = true;        // the sequence may end after this instruction (false for a forward
                             // jump whose target is a later instruction)
};

// Flags whose value is architecturally undefined after some prefix of the sequence.
struct UndefinedFlags {
  uint32_t eflags = 0;   // EFLAGS bits
  uint16_t fpu_sw = 0;   // x87 status-word bits (C0 C1 C2 C3 at bits 8 9 10 14)
};

struct TestCase {
  uint64_t seed = 0, index = 0;
  std::vector<uint8_t> code;
  std::vector<InsnRecord> insns;
  dt_case_header init{};  // code_len mirrors code.size()
  std::string groups;     // the generator groups that produced it, for the report

  // Undefined flags after the instructions that start before code offset `end` have run.
  UndefinedFlags undefined_before(uint32_t end) const;
  // The case cut after its first `n` instructions (for minimising a divergence); only valid
  // where insns[n-1].cut_ok.
  TestCase prefix(size_t n) const;
};

// x87 status-word bit of condition code Cn.
constexpr uint16_t fpu_cc_bit(unsigned n) { return n == 3 ? 0x4000 : uint16_t(0x100u << n); }

}  // namespace difftest
