// Translation of one guest block into host code (see docs/translator.md): decodes the block's
// bytes with Zydis again, computes where the guest's arithmetic flags are live, and emits each
// instruction by its rule (insn_rules.h) — re-encoded IDENT with remapped operands, inline
// memory access through the TLB probe with a callout slow path, stack and branch sequences, or a
// callout into the interpreter's handler — then the block's exits (chainable stubs or the inline
// lookup).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>
#include "cpu/block_decoder.h"
#include "translate/runtime_stubs.h"
#include "translate/translated_code.h"

namespace bt86 {

struct Block;
class CodeBuffer;

// Per-translation counts the translator adds to its statistics.
struct TranslationCounts {
  uint32_t inline_insns = 0;  // instructions emitted inline (IDENT, stack, branches)
  uint32_t callout_insns = 0; // instructions that are callouts
  bool no_room = false;        // null returned because the code buffer is full (else: cannot emit)
};

// Which entry a block's hot code starts with. Default: whichever needs no jump between the two;
// a block laid out right after its predecessor (Translator::lay_out_successors) starts with the
// one that predecessor's fall-through takes (the guest flags in the host, or parked), so the
// fall-through needs no jump at all; the other entry then sits in the cold code.
enum class EntryOrder : uint8_t { Default, InHostFirst, SpilledFirst };

// Translates `b` into `buf`. Returns null if the buffer is full (counts->no_room) or the block
// cannot be emitted (an encoding the assembler refuses; the interpreter runs it).
// `raw`: Zydis's decoding of b.insns (from build_block); `bytes`: the block's guest bytes.
std::shared_ptr<TranslatedCode> translate_block(const Block& b, const RawDecode* raw, const uint8_t* bytes,
                                                CodeBuffer& buf, const jit::RuntimeRoutines& rt, TranslationCounts* counts,
                                                EntryOrder order = EntryOrder::Default);

}  // namespace bt86
