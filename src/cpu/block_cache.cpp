// Decoded-block cache: lookup, insertion, per-page indexing and self-modifying-code
// invalidation. See block_cache.h.
#include "cpu/block_cache.h"
#include <algorithm>

namespace bt86 {

BlockCache::BlockCache() : code_pages_(1u << 20, 0), fast_(kFastSlots) {}
BlockCache::~BlockCache() = default;

Block* BlockCache::find_slow(uint32_t phys, uint32_t mode) {
  auto it = blocks_.find(key(phys, mode));
  if (it == blocks_.end()) return nullptr;
  Slot& s = fast_[slot_index(phys, mode)];
  s = Slot{phys, mode, it->second.get()};
  return s.block;
}

bool BlockCache::insert(std::unique_ptr<Block> b) {
  Block* raw = b.get();
  uint32_t page = raw->phys >> 12;
  bool new_code_page = code_pages_[page] == 0;
  code_pages_[page] = 1;
  by_page_[page].push_back(raw);
  auto old = blocks_.find(key(raw->phys, raw->mode));
  if (old != blocks_.end()) remove(old->second.get());  // stale entry under the same key
  fast_[slot_index(raw->phys, raw->mode)] = Slot{raw->phys, raw->mode, raw};
  blocks_.emplace(key(raw->phys, raw->mode), std::move(b));
  return new_code_page;
}

void BlockCache::remove(Block* b) {
  b->valid = false;
  Slot& s = fast_[slot_index(b->phys, b->mode)];
  if (s.block == b) s = Slot{};
  auto it = blocks_.find(key(b->phys, b->mode));
  if (it != blocks_.end() && it->second.get() == b) {
    graveyard_.push_back(std::move(it->second));
    blocks_.erase(it);
  }
}

unsigned BlockCache::invalidate_range(uint32_t paddr, unsigned size) {
  uint32_t page = paddr >> 12;
  auto pit = by_page_.find(page);
  if (pit == by_page_.end()) return 0;
  std::vector<Block*>& list = pit->second;
  unsigned n = 0;
  uint32_t end = paddr + size;
  for (size_t k = 0; k < list.size();) {
    Block* b = list[k];
    if (b->phys < end && paddr < b->phys + b->bytes) {
      remove(b);
      list[k] = list.back();
      list.pop_back();
      ++n;
    } else {
      ++k;
    }
  }
  if (list.empty()) {
    by_page_.erase(pit);
    code_pages_[page] = 0;
  }
  return n;
}

void BlockCache::invalidate_all() {
  for (auto& [k, b] : blocks_) {
    b->valid = false;
    graveyard_.push_back(std::move(b));
  }
  blocks_.clear();
  by_page_.clear();
  std::fill(code_pages_.begin(), code_pages_.end(), 0);
  std::fill(fast_.begin(), fast_.end(), Slot{});
}

}  // namespace bt86
