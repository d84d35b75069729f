// Decoding a guest block (shared by the interpreter and the translator): from b.key (EIP, mode,
// CS limit) and the host address of its page, fills b.insns, b.bytes, b.terminal and b.targets.
#pragma once
#include <cstdint>
#include <vector>
#include "cpu/block_decoder.h"
#include "cpu/block.h"

namespace bt86 {

class Cpu;

// Decodes the block starting at linear `lin` (EIP = b.key.eip; `host_page` is the host address of
// the start of its page, null for MMIO) into `b`, at most `max_insns` instructions. Returns false
// if the block must not be cached (Terminal::Fallback). Raises the guest fault of an undecodable
// first instruction (#UD, #GP for too long or beyond the CS limit).
// `raw`, if given (room for max_insns entries), receives Zydis's decoding of instruction k in raw[k].
// A first instruction that runs into the next page makes a block of its own; it is cacheable (a
// straddler: Block::straddles, extra_phys) only with `straddlers` and when the next page is RAM.
bool build_block(Cpu& cpu, BlockDecoder& dec, uint32_t lin, const uint8_t* host_page, Block& b,
                 unsigned max_insns, RawDecode* raw = nullptr, bool straddlers = false);

}  // namespace bt86
