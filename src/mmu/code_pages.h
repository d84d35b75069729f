// Code-page tracking shared by every execution engine: which 4 KiB physical pages hold guest code
// that some engine has decoded or translated (one holder bit per engine), and who must hear of it
// when bytes there change — a CPU store, a device's DMA, a loader's copy. Each engine's block
// cache is a CodeListener; a write to a tracked page is passed to the listeners holding that page,
// which drop the blocks the bytes overlap. The CPU's TLB keeps tracked pages out of its direct-
// write entries, so every store to them comes here (see Cpu::note_code_write).
#pragma once
#include <cstdint>
#include <vector>

namespace bt86 {

class CodeListener {
 public:
  virtual ~CodeListener() = default;
  // Bytes [paddr, paddr + size) of one page this listener holds changed: drop what overlaps.
  // Returns the number of blocks dropped.
  virtual unsigned code_written(uint32_t paddr, unsigned size) = 0;
  // Everything may have changed (a kernel loaded behind the CPU's back, a reset): drop all.
  virtual void code_invalidate_all() = 0;
};

class CodePages {
 public:
  static constexpr unsigned kMaxListeners = 8;
  CodePages() : holders_(1u << 20, 0) {}

  // Registers a listener; returns its holder id (0..7). Throws std::length_error beyond 8.
  unsigned add_listener(CodeListener* l);
  void remove_listener(unsigned id);

  bool has_code(uint32_t paddr) const { return holders_[paddr >> 12] != 0; }
  // Holder `id` now has code on the page of `paddr`. Returns true if no one had code there
  // before (the caller must then drop direct-write TLB entries for it).
  bool mark(uint32_t paddr, unsigned id);
  // Holder `id`'s last block on the page of `paddr` went.
  void unmark(uint32_t paddr, unsigned id) { holders_[paddr >> 12] &= uint8_t(~(1u << id)); }
  // A write of `size` bytes at `paddr` (within one page) to a page that has code: tells the
  // holders. Returns the number of blocks dropped.
  unsigned note_write(uint32_t paddr, unsigned size);
  // Tells every listener to drop everything (and forgets all marks).
  void invalidate_all();

 private:
  std::vector<uint8_t> holders_;  // one byte per 4 KiB page of the 4 GiB space: holder bits
  CodeListener* listeners_[kMaxListeners] = {};
};

}  // namespace bt86
