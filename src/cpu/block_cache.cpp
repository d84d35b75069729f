// Block cache: lookup, insertion, per-page indexing, self-modifying-code invalidation and
// undoable links. See block_cache.h.
#include "cpu/block_cache.h"

#include <algorithm>

namespace bt86 {

BlockCache::BlockCache(CodePages& pages)
    : pages_(pages), holder_id_(pages.add_listener(this)), fast_(kFastSlots) {
  blocks_.reserve(kFastSlots);  // (a booted Linux has some 50,000 blocks: no rehashing on the way)
}

BlockCache::~BlockCache() { pages_.remove_listener(holder_id_); }

Block* BlockCache::find_slow(const BlockKey& k) {
  auto it = blocks_.find(k);
  if (it == blocks_.end()) return nullptr;
  fast_[slot_index(k)].block = it->second.get();
  return it->second.get();
}

bool BlockCache::add_page(uint32_t paddr, Block* b) {
  by_page_[paddr >> 12].push_back(b);
  return pages_.mark(paddr, holder_id_);
}

void BlockCache::drop_from_page(uint32_t paddr, Block* b) {
  auto pit = by_page_.find(paddr >> 12);
  if (pit == by_page_.end()) return;
  std::vector<Block*>& list = pit->second;
  for (size_t k = 0; k < list.size(); ++k)
    if (list[k] == b) {
      list[k] = list.back();
      list.pop_back();
      break;
    }
  if (list.empty()) {
    by_page_.erase(pit);
    pages_.unmark(paddr, holder_id_);
  }
}

void BlockCache::emplace(std::unique_ptr<Block> b) {
  Block* raw = b.get();
  auto old = blocks_.find(raw->key);
  if (old != blocks_.end()) drop(old->second.get());  // a stale entry under the same key
  fast_[slot_index(raw->key)].block = raw;
  blocks_.emplace(raw->key, std::move(b));
}

void BlockCache::link(Block* from, Block* to, uint32_t eip) {
  const uint8_t slot = from->next_link;
  from->next_link ^= 1;
  link(from, to, eip, slot);
}

void BlockCache::link(Block* from, Block* to, uint32_t eip, uint8_t slot) {
  Block::Link& l = from->links[slot];
  if (Block* old = l.to) {  // forget the link being replaced on its target's side
    auto& in = old->incoming;
    in.erase(std::remove_if(in.begin(), in.end(),
                            [&](const Block::Incoming& x) { return x.from == from && x.slot == slot; }),
             in.end());
    if (on_unlink) on_unlink(*from, slot);
  }
  l = Block::Link{to, eip};
  to->incoming.push_back(Block::Incoming{from, slot});
  ++links_made_;
}

// Undoes every link into and out of `b`.
void BlockCache::unlink(Block* b) {
  for (const Block::Incoming& x : b->incoming)
    if (x.from->links[x.slot].to == b) {
      x.from->links[x.slot] = Block::Link{};
      if (on_unlink) on_unlink(*x.from, x.slot);
    }
  b->incoming.clear();
  for (uint8_t slot = 0; slot < 2; ++slot) {
    Block* to = b->links[slot].to;
    if (!to) continue;
    auto& in = to->incoming;
    in.erase(std::remove_if(in.begin(), in.end(),
                            [&](const Block::Incoming& x) { return x.from == b && x.slot == slot; }),
             in.end());
    b->links[slot] = Block::Link{};
  }
}

void BlockCache::remove(Block* b) {
  b->valid = false;
  if (on_remove) on_remove(b);
  unlink(b);
  Slot& s = fast_[slot_index(b->key)];
  if (s.block == b) s = Slot{};
  auto it = blocks_.find(b->key);
  if (it != blocks_.end() && it->second.get() == b) {
    graveyard_.push_back(std::move(it->second));
    blocks_.erase(it);
  }
  ++invalidations_;
}

unsigned BlockCache::code_written(uint32_t paddr, unsigned size) {
  auto pit = by_page_.find(paddr >> 12);
  if (pit == by_page_.end()) return 0;
  const uint32_t end = paddr + size;
  std::vector<Block*>& hit = written_scratch_;
  hit.clear();
  for (Block* b : pit->second) {
    const uint32_t first_end = b->key.phys + b->bytes_on_first_page();
    if ((b->key.phys < end && paddr < first_end) ||
        (b->extra_len && b->extra_phys < end && paddr < b->extra_phys + b->extra_len))
      hit.push_back(b);
  }
  for (Block* b : hit) drop(b);
  return unsigned(hit.size());
}

void BlockCache::drop(Block* b) {
  drop_from_page(b->key.phys, b);
  if (extra_page(*b)) drop_from_page(b->extra_phys, b);
  remove(b);
}

void BlockCache::code_invalidate_all() {
  if (on_remove) on_remove(nullptr);
  for (auto& [k, b] : blocks_) {
    b->valid = false;
    b->incoming.clear();
    b->links[0] = b->links[1] = Block::Link{};
    graveyard_.push_back(std::move(b));
  }
  invalidations_ += blocks_.size();
  blocks_.clear();
  by_page_.clear();
  std::fill(fast_.begin(), fast_.end(), Slot{});
}

void BlockCache::drop_all() {
  for (const auto& [page, list] : by_page_) pages_.unmark(page << 12, holder_id_);
  code_invalidate_all();
}

}  // namespace bt86
