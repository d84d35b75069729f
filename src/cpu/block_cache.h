// Cache of decoded basic blocks for the interpreter, keyed by (guest physical address of the
// first byte, decode mode). A block never spans a 4 KiB page, so it depends on exactly one
// physical page; a per-page index lets writes to that page invalidate just the blocks whose
// bytes they overlap (self-modifying code). Pages holding blocks are marked in a bitmap that the
// CPU's TLB consults so that stores to them take the slow path.
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>
#include "cpu/insn.h"

namespace bt86 {

struct Block {
  uint32_t phys = 0;        // physical address of the first byte
  uint32_t mode = 0;        // decode mode key (see BlockCache::mode_key)
  uint32_t bytes = 0;       // guest bytes covered: [phys, phys + bytes)
  bool valid = true;
  bool cached = true;       // false for one-off blocks (page-crossing instruction, MMIO code)
  // Successor cache ("chaining"): the blocks that followed this one, by EIP, valid while the
  // CPU's link generation is unchanged (see Cpu::link_gen_).
  struct Link {
    Block* to = nullptr;
    uint32_t eip = 0;
    uint64_t gen = 0;
  } links[2];
  uint8_t next_link = 0;    // round-robin replacement
  std::vector<Insn> insns;
};

class BlockCache {
 public:
  BlockCache();
  ~BlockCache();

  static uint32_t mode_key(bool code32) { return code32 ? 1u : 0u; }

  Block* find(uint32_t phys, uint32_t mode) {
    Slot& s = fast_[slot_index(phys, mode)];
    if (s.phys == phys && s.mode == mode && s.block) return s.block;
    return find_slow(phys, mode);
  }
  // Takes ownership. Returns true if the page was not holding code before (the caller must then
  // drop direct-write TLB entries for it).
  bool insert(std::unique_ptr<Block> b);

  bool page_has_code(uint32_t paddr) const { return code_pages_[paddr >> 12] != 0; }
  // A guest write of `size` bytes at paddr: invalidates overlapping blocks. Returns the number
  // of blocks invalidated.
  unsigned invalidate_range(uint32_t paddr, unsigned size);
  void invalidate_all();
  // Frees blocks invalidated earlier; call only when no block is executing.
  void collect_garbage() { graveyard_.clear(); }
  bool has_garbage() const { return !graveyard_.empty(); }

  uint64_t count() const { return blocks_.size(); }

 private:
  struct Slot {
    uint32_t phys = 0, mode = ~0u;
    Block* block = nullptr;
  };
  static constexpr unsigned kFastSlots = 1u << 14;
  static unsigned slot_index(uint32_t phys, uint32_t mode) {
    return ((phys ^ (phys >> 14)) * 2654435761u >> 18 ^ mode) & (kFastSlots - 1);
  }
  static uint64_t key(uint32_t phys, uint32_t mode) { return (uint64_t(mode) << 32) | phys; }
  Block* find_slow(uint32_t phys, uint32_t mode);
  void remove(Block* b);

  std::unordered_map<uint64_t, std::unique_ptr<Block>> blocks_;
  std::unordered_map<uint32_t, std::vector<Block*>> by_page_;
  std::vector<uint8_t> code_pages_;  // one byte per 4 KiB physical page of the 4 GiB space
  std::vector<Slot> fast_;
  std::vector<std::unique_ptr<Block>> graveyard_;
};

}  // namespace bt86
