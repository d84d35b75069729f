// Dirty-page logging for device memory mapped straight into the guest (the VGA's linear
// framebuffer): which 4 KiB pages were written since the one consumer (a display) last looked.
//
// PageSet is a set of page numbers of a buffer. DirtyLog is the writers' side: mark() adds
// pages; take() hands the consumer the set and starts a new one. PhysMem maps device RAM so that
// the CPU's TLB may cache a page as writable only while its bit is set (page_dirty()): the first
// store to a clean page goes through PhysMem's slow path, which marks it, and later stores run at
// RAM speed. take() calls on_rearm when it cleared anything, so PhysMem can make the CPU drop
// the TLB write entries of the now clean pages (KVM's dirty logging does the same with page
// protection).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace bt86 {

class PageSet {
 public:
  static constexpr size_t kPageSize = 4096;
  explicit PageSet(size_t bytes = 0) : words_((bytes / kPageSize + 63) / 64, 0), pages_(bytes / kPageSize) {}

  // Adds the pages holding bytes [offset, offset + len) (clipped to the buffer).
  void add(size_t offset, size_t len);
  void add_all();
  bool contains(size_t page) const { return page < pages_ && (words_[page / 64] >> (page % 64) & 1); }
  // Any page holding a byte of [offset, offset + len)?
  bool any_in(size_t offset, size_t len) const;
  bool empty() const { return empty_; }
  size_t pages() const { return pages_; }
  void clear();

 private:
  std::vector<uint64_t> words_;
  size_t pages_;
  bool empty_ = true;
};

class DirtyLog {
 public:
  explicit DirtyLog(size_t bytes) : dirty_(bytes), bytes_(bytes) {}

  void mark(size_t offset, size_t len) { dirty_.add(offset, len); }
  void mark_all() { dirty_.add_all(); }
  bool page_dirty(size_t page) const { return dirty_.contains(page); }
  bool any() const { return !dirty_.empty(); }
  // Moves the pages written since the last take() into `out` (sized for this log, e.g.
  // PageSet(log.bytes())); the log starts empty again.
  void take(PageSet& out);
  size_t bytes() const { return bytes_; }

  std::function<void()> on_rearm;  // set by whoever maps the memory (PhysMem)

 private:
  PageSet dirty_;
  size_t bytes_;
};

}  // namespace bt86
