// Zydis-based decoding of one guest instruction into an Insn: generic operand pre-fill, then the
// instruction table's binder picks the handler. Also classifies block-ending instructions.
#pragma once
#include <Zydis/Zydis.h>
#include <cstddef>
#include <cstdint>
#include "cpu/insn.h"

namespace bt86 {

enum class DecodeStatus { Ok, NeedMoreBytes, Invalid, TooLong };

// Zydis's decoding of one instruction with all its operands.
struct RawDecode {
  ZydisDecodedInstruction zi;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
};

class BlockDecoder {
 public:
  BlockDecoder();
  // Decode the instruction at `bytes` (avail bytes readable) in 16- or 32-bit code.
  // `raw`, if given, receives Zydis's own decoding too (the translator re-encodes from it).
  DecodeStatus decode(const uint8_t* bytes, size_t avail, bool code32, Insn& out, struct RawDecode* raw = nullptr);
  // Human-readable Intel-syntax text for diagnostics (Zydis formatter).
  static void format(const uint8_t* bytes, size_t avail, bool code32, uint32_t eip, char* buf, size_t n);

 private:
  ZydisDecoder dec16_, dec32_;
};

// Handler used for instructions whose form bt86 does not implement: logs one
// "unimplemented instruction" line per mnemonic and raises #UD.
void op_unimplemented(class Cpu& cpu, const Insn& i);

}  // namespace bt86
