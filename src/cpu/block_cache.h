// One engine's cache of guest blocks, keyed by BlockKey (physical address, EIP, CS base and
// limit, mode bits). A block depends on the physical page it starts on, and a straddler (one
// instruction across a page end, Block::straddles) on the next one too, as a block with an
// inlined PC thunk on the thunk's bytes (Block::extra_phys); a per-page index lets writes to a
// page drop just the blocks whose bytes they overlap (self-modifying
// code). The cache is a CodeListener of the CPU's CodePages, which routes such
// writes here. Links between blocks are recorded on both ends and undone when either end goes.
// Dropped blocks wait in a graveyard until no block is running (collect_garbage).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>
#include "cpu/block.h"
#include "mmu/code_pages.h"

namespace bt86 {

class BlockCache final : public CodeListener {
 public:
  explicit BlockCache(CodePages& pages);
  ~BlockCache() override;
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  Block* find(const BlockKey& k) {
    Slot& s = fast_[slot_index(k)];
    if (s.block && s.block->key == k) return s.block;
    return find_slow(k);
  }
  // Takes ownership (replacing a stale block under the same key). Calls `new_code_page(paddr)`
  // for each of its pages that held no code of any engine before (the caller must then drop
  // direct-write TLB entries for it) and returns how many there were.
  template <class F>
  unsigned insert(std::unique_ptr<Block> b, F&& new_code_page) {
    const uint32_t phys = b->key.phys, phys2 = b->extra_phys;
    const bool first = add_page(phys, b.get()), second = extra_page(*b) && add_page(phys2, b.get());
    emplace(std::move(b));
    if (first) new_code_page(phys);
    if (second) new_code_page(phys2);
    return unsigned(first) + unsigned(second);
  }
  unsigned insert(std::unique_ptr<Block> b) { return insert(std::move(b), [](uint32_t) {}); }
  // Links `from` to `to` for EIP `eip` (replacing the older of from's two links).
  void link(Block* from, Block* to, uint32_t eip);
  // The same into a given slot (the translator's exit number).
  void link(Block* from, Block* to, uint32_t eip, uint8_t slot);
  // Called when a link of `from` in `slot` is undone while `from` stays (its target went or the
  // slot is reused): the translator restores the exit stub it had patched.
  std::function<void(Block& from, uint8_t slot)> on_unlink;
  // Called when a block is dropped (null: all of them at once).
  std::function<void(Block* b)> on_remove;

  // CodeListener: a guest write of `size` bytes at paddr drops overlapping blocks.
  unsigned code_written(uint32_t paddr, unsigned size) override;
  void code_invalidate_all() override;
  void invalidate_all() { pages_.invalidate_all(); }  // all engines, as a loader's copy needs
  // Drops one block (a translated straddler whose second page maps elsewhere now).
  void drop(Block* b);
  // Drops this cache's blocks only (the translator's code buffer is full), unmarking its pages.
  void drop_all();

  // Frees blocks dropped earlier; call only when no block is executing.
  void collect_garbage() { graveyard_.clear(); }
  bool has_garbage() const { return !graveyard_.empty(); }

  uint64_t count() const { return blocks_.size(); }
  uint64_t links_made() const { return links_made_; }
  uint64_t invalidations() const { return invalidations_; }

  struct KeyHash {
    size_t operator()(const BlockKey& k) const {
      uint64_t h = (uint64_t(k.phys) << 32 | k.eip) * 0x9E3779B97F4A7C15ull;
      h ^= (uint64_t(k.cs_base) << 32 | k.mode) * 0xC2B2AE3D27D4EB4Full;
      h ^= uint64_t(k.cs_limit) * 0x165667B19E3779F9ull;
      return size_t(h ^ (h >> 29));
    }
  };

 private:
  struct Slot {
    Block* block = nullptr;
  };
  static constexpr unsigned kFastSlots = 1u << 16;
  static unsigned slot_index(const BlockKey& k) {
    return ((k.phys ^ (k.phys >> 16) ^ k.cs_base) * 2654435761u >> 16 ^ k.mode) & (kFastSlots - 1);
  }
  Block* find_slow(const BlockKey& k);
  bool add_page(uint32_t paddr, Block* b);  // true: the page held no code before
  // Whether the block's extra bytes (Block::extra_phys) are on a page of their own.
  static bool extra_page(const Block& b) { return b.extra_len && (b.extra_phys ^ b.key.phys) >> 12; }
  void drop_from_page(uint32_t paddr, Block* b);
  void emplace(std::unique_ptr<Block> b);
  void remove(Block* b);
  void unlink(Block* b);

  CodePages& pages_;
  unsigned holder_id_;
  std::unordered_map<BlockKey, std::unique_ptr<Block>, KeyHash> blocks_;
  std::unordered_map<uint32_t, std::vector<Block*>> by_page_;
  std::vector<Slot> fast_;
  std::vector<std::unique_ptr<Block>> graveyard_;
  std::vector<Block*> written_scratch_;  // code_written's victims
  uint64_t links_made_ = 0;
  uint64_t invalidations_ = 0;
};

}  // namespace bt86
