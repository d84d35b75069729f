// A guest basic block as every engine sees it: its key (where it is and every mode bit that
// changes what its bytes mean), how it ends (a typed terminal with the targets known at decode
// time), its links to successor blocks (undone when either end is invalidated), and the decoded
// instructions the interpreter runs.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>
#include "cpu/insn.h"

namespace bt86 {

struct CpuState;
struct TranslatedCode;  // translate/translated_code.h: host code of a translated block

// Mode bits of a block key (BlockKey::mode).
namespace block_mode {
constexpr uint32_t CODE32 = 1u << 0;   // CS.D: 32-bit code (operand/address size default)
constexpr uint32_t STACK32 = 1u << 1;  // SS.B: 32-bit stack
constexpr uint32_t CPL_SHIFT = 2;      // bits 2-3: CPL
constexpr uint32_t PE = 1u << 4;       // protected mode
constexpr uint32_t VM86 = 1u << 5;     // virtual-8086 mode
constexpr uint32_t PG = 1u << 6;       // paging
constexpr uint32_t FLAT = 1u << 7;     // CS, SS, DS, ES: base 0, limit 4 GiB, expand-up;
                                       // SS, DS, ES present writable data (Segment::flat_data)
constexpr uint32_t IOPL_SHIFT = 8;     // bits 8-9: EFLAGS.IOPL (decides CLI/STI/IN/OUT inline)
constexpr uint32_t FPU_SHIFT = 10;     // bits 10-12: CR0.MP, EM, TS (x87 availability)
constexpr uint32_t ALIGN_CHECK = 1u << 13;  // CR0.AM && EFLAGS.AC && CPL 3
}  // namespace block_mode

// The mode word of the state as it is now (see block_mode).
uint32_t block_mode_of(const CpuState& s);

// Everything a block's meaning depends on. Two lookups with equal keys may share a block.
struct BlockKey {
  uint32_t phys = 0;      // physical address of the first byte
  uint32_t eip = 0;       // its offset in CS (translated code embeds EIPs)
  uint32_t cs_base = 0;
  uint32_t cs_limit = 0;  // decoding checks instruction ends against it (#GP)
  uint32_t mode = 0;      // block_mode bits
  bool operator==(const BlockKey&) const = default;
  uint32_t lin() const { return cs_base + eip; }
};

// How a block ends: Terminal (insn.h). The interpreter follows whatever EIP results; the
// translator emits one exit per kind (a patched jump, a lookup, a callout return).
const char* terminal_name(Terminal t);

struct Block {
  BlockKey key;
  uint32_t bytes = 0;       // guest bytes covered: [key.phys, key.phys + bytes) on one page, or
                            // for a straddler (below) up to the page end and the rest from
                            // extra_phys, its second page (physical, page-aligned)
  Terminal terminal = Terminal::FallThrough;
  uint32_t targets[2] = {0, 0};  // EIPs known at decode time (see Terminal)
  bool valid = true;
  bool cached = true;       // false for one-off blocks (Terminal::Fallback)
  // Links to the blocks that followed this one, by EIP. A link is made only to a block on the
  // same linear page (so it stays right while the block itself is reachable) with the same mode;
  // BlockCache::link records it on both ends and invalidating either end undoes it.
  struct Link {
    Block* to = nullptr;
    uint32_t eip = 0;
  } links[2];
  uint8_t next_link = 0;    // round-robin replacement
  struct Incoming {
    Block* from;
    uint8_t slot;
  };
  std::vector<Incoming> incoming;  // links into this block
  std::vector<Insn> insns;
  std::shared_ptr<TranslatedCode> host;  // translator blocks only: their host code
  // Guest bytes the block's code depends on besides [key.phys, key.phys + bytes_on_first_page()):
  // a straddler's rest on its second page, or a PC thunk the translator inlined into the block's
  // CALL (translator.cpp). A write there drops the block as one into its own bytes does.
  uint32_t extra_phys = 0;
  uint8_t extra_len = 0;
  // The inlined thunk (`mov r32, [esp]; ret` at the CALL's target, targets[0]): r32's number, or
  // kNoThunk.
  static constexpr uint8_t kNoThunk = 0xFF;
  uint8_t thunk_reg = kNoThunk;

  // A straddler: one instruction that crosses into the next linear page (only the translator
  // caches these; its code checks at entry that the page still maps to extra_phys).
  bool straddles() const { return (key.phys & 0xFFFu) + bytes > 0x1000; }
  uint32_t bytes_on_first_page() const { return straddles() ? 0x1000 - (key.phys & 0xFFFu) : bytes; }
  void set_straddler_page(uint32_t page) {  // (bytes known) its second page holds its extra bytes
    extra_phys = page;
    extra_len = uint8_t(bytes - bytes_on_first_page());
  }

  Block* follow(uint32_t eip) const {
    if (links[0].to && links[0].eip == eip) return links[0].to;
    if (links[1].to && links[1].eip == eip) return links[1].to;
    return nullptr;
  }
};

}  // namespace bt86
