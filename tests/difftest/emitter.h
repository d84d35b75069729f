// Appends instructions to a test case: encodes them (Zydis encoder, or raw bytes for simple
// fixed encodings), decodes each back with Zydis to learn which EFLAGS and x87 condition codes
// it tests, writes and leaves undefined, and keeps the sequence free of reads of undefined flags
// by inserting a flag-defining instruction (CMP r32, imm32 or FXAM) where one would occur.
#pragma once
#include <Zydis/Zydis.h>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include "rng.h"
#include "test_case.h"

namespace difftest {

// What the generator knows about an instruction's flags beyond Zydis's static tables.
struct FlagAdjust {
  uint32_t unwritten = 0;     // flags Zydis lists as written that keep their value here (a
                              // shift whose masked count is 0 writes none: kAllFlags)
  uint32_t defined = 0;       // flags Zydis calls undefined that are defined here (1-bit shift OF)
  uint32_t undefined = 0;     // flags undefined here though Zydis calls them defined
};

constexpr uint32_t kAllFlags = DT_EFLAGS_MASK;

// Encoder operand builders.
namespace opnd {
ZydisEncoderOperand reg(ZydisRegister r);
ZydisEncoderOperand imm(int64_t v);
ZydisEncoderOperand mem(unsigned size, ZydisRegister base, ZydisRegister index, unsigned scale, int64_t disp);
}  // namespace opnd

class Emitter {
 public:
  Emitter(TestCase& tc, Rng& rng) : tc_(tc), rng_(rng) {}

  // Encode with Zydis (32-bit legacy mode); throws std::logic_error if Zydis cannot encode the
  // request (a generator bug).
  void insn(ZydisMnemonic m, std::initializer_list<ZydisEncoderOperand> ops,
            ZydisInstructionAttributes prefixes = 0, const FlagAdjust& adj = {});
  // Encode only (for templates that alter the bytes before appending them). Returns the length.
  static size_t encode(ZydisMnemonic m, std::initializer_list<ZydisEncoderOperand> ops,
                       ZydisInstructionAttributes prefixes, uint8_t* out);
  // Append one instruction given as bytes (must decode to exactly these bytes).
  void raw(std::initializer_list<uint8_t> bytes, const FlagAdjust& adj = {});
  void raw(const uint8_t* bytes, size_t len, const FlagAdjust& adj = {});

  // The sequence must not be cut right after the last instruction (its jump target follows).
  void forbid_cut() { tc_.insns.back().cut_ok = false; }

  // Append bytes that are deliberately not a valid instruction (they raise #UD).
  void invalid(const uint8_t* bytes, size_t len);

  size_t code_size() const { return tc_.code.size(); }
  // Room left for another template (the longest template is well under this).
  bool has_room() const { return tc_.code.size() + 160 < DT_CODE_MAX; }

 private:
  void append(const uint8_t* bytes, size_t len, const FlagAdjust& adj);
  void define_cpu_flags();
  void define_fpu_flags();

  TestCase& tc_;
  Rng& rng_;
  uint32_t undefined_cpu_ = 0;  // EFLAGS bits undefined at the current end of the sequence
  uint8_t undefined_fpu_ = 0;   // C0-C3 undefined at the current end of the sequence
};

}  // namespace difftest
