// Dirty-page logging for directly mapped device memory (see dirty_log.h).
#include "mmu/dirty_log.h"

#include <algorithm>
#include <utility>

namespace bt86 {

void PageSet::add(size_t offset, size_t len) {
  if (len == 0 || offset >= pages_ * kPageSize) return;
  const size_t last = std::min(offset + len - 1, pages_ * kPageSize - 1) / kPageSize;
  for (size_t page = offset / kPageSize; page <= last; ++page) words_[page / 64] |= uint64_t(1) << (page % 64);
  empty_ = false;
}

void PageSet::add_all() { add(0, pages_ * kPageSize); }

bool PageSet::any_in(size_t offset, size_t len) const {
  if (empty_ || len == 0 || offset >= pages_ * kPageSize) return false;
  const size_t last = std::min(offset + len - 1, pages_ * kPageSize - 1) / kPageSize;
  for (size_t page = offset / kPageSize; page <= last; ++page)
    if (contains(page)) return true;
  return false;
}

void PageSet::clear() {
  if (empty_) return;
  std::fill(words_.begin(), words_.end(), 0);
  empty_ = true;
}

void DirtyLog::take(PageSet& out) {
  out.clear();
  if (dirty_.empty()) return;
  std::swap(out, dirty_);
  if (on_rearm) on_rearm();
}

}  // namespace bt86
