// Code-page tracking: holder bits per physical page and the listeners behind them. See
// code_pages.h.
#include "mmu/code_pages.h"

#include <algorithm>
#include <stdexcept>

namespace bt86 {

unsigned CodePages::add_listener(CodeListener* l) {
  for (unsigned id = 0; id < kMaxListeners; ++id)
    if (!listeners_[id]) {
      listeners_[id] = l;
      return id;
    }
  throw std::length_error("CodePages: more than 8 code listeners");
}

void CodePages::remove_listener(unsigned id) {
  listeners_[id] = nullptr;
  const uint8_t keep = uint8_t(~(1u << id));
  for (uint8_t& h : holders_) h &= keep;
}

bool CodePages::mark(uint32_t paddr, unsigned id) {
  uint8_t& h = holders_[paddr >> 12];
  const bool first = h == 0;
  h |= uint8_t(1u << id);
  return first;
}

unsigned CodePages::note_write(uint32_t paddr, unsigned size) {
  const uint8_t h = holders_[paddr >> 12];
  unsigned n = 0;
  for (unsigned id = 0; id < kMaxListeners; ++id)
    if ((h & (1u << id)) && listeners_[id]) n += listeners_[id]->code_written(paddr, size);
  return n;
}

void CodePages::invalidate_all() {
  for (CodeListener* l : listeners_)
    if (l) l->code_invalidate_all();
  std::fill(holders_.begin(), holders_.end(), 0);
}

}  // namespace bt86
