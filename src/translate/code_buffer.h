// The code cache's memory: one fixed read/write/execute mapping in two parts, hot and cold, followed
// by a read/write data area for what translated code reads and writes at run time (the inline
// caches of indirect branches: on pages of their own, so writing them never touches a cache line
// that holds code) and the callout sites its code passes to C++ (both live exactly as long as the
// code). The hot part holds the shared routines and each block's straight-line code and exits;
// the cold part what runs only now and then (memory slow paths, budget exits, the far side of
// unlinked exits, lookup fallbacks), so the code the guest's hot paths run lies densely in
// the host's instruction caches and TLB (docs/translator.md, "Hot and cold code"). Flush policy
// (translator.cpp): when a block or its data does not fit in either part, every translated
// block is dropped and all areas start again (the hot one from the routines at its start; QEMU's
// tb_flush model); nothing is freed block by block.
#pragma once
#include <cstddef>
#include <cstdint>

namespace bt86 {

class CodeBuffer {
 public:
  static constexpr size_t kDataBytes = 8u << 20;
  static constexpr size_t kHuge = 2u << 20;  // code area alignment (transparent huge pages)
  // The hot part's share of the code area, in eighths (measured: a block's cold code is about
  // twice its hot code).
  static constexpr size_t kHotEighths = 3;
  explicit CodeBuffer(size_t bytes);
  ~CodeBuffer();
  CodeBuffer(const CodeBuffer&) = delete;
  CodeBuffer& operator=(const CodeBuffer&) = delete;

  uint8_t* cursor() const { return base_ + used_; }  // the hot part's
  size_t room() const { return hot_size_ - used_; }
  // n bytes of hot code were placed at the cursor; the cursor moves on to a 16-byte boundary,
  // with long NOPs in between (a block laid out behind another falls through them:
  // Translator::lay_out_successors).
  void commit(size_t n) {
    const size_t end = used_ + n;
    used_ = (end + 15) & ~size_t(15);
    fill_nops(base_ + end, used_ - end);
  }
  static void fill_nops(uint8_t* at, size_t n);
  uint8_t* cold_cursor() const { return base_ + hot_size_ + cold_used_; }
  size_t cold_room() const { return size_ - hot_size_ - cold_used_; }
  void commit_cold(size_t n) { cold_used_ += (n + 7) & ~size_t(7); }
  // Everything after the first `keep` bytes (the shared routines) is free again.
  void reset_to(size_t keep) {
    used_ = keep;
    cold_used_ = 0;
    data_used_ = 0;
  }
  // n bytes (16-byte aligned) of the data area, or null when it is full.
  uint8_t* alloc_data(size_t n) {
    n = (n + 15) & ~size_t(15);
    if (kDataBytes - data_used_ < n) return nullptr;
    uint8_t* p = base_ + size_ + data_used_;
    data_used_ += n;
    return p;
  }
  size_t used() const { return used_; }
  const uint8_t* base() const { return base_; }
  const uint8_t* cold_base() const { return base_ + hot_size_; }
  size_t size() const { return size_; }
  bool contains(const void* p) const {
    return static_cast<const uint8_t*>(p) >= base_ && static_cast<const uint8_t*>(p) < base_ + size_;
  }

 private:
  uint8_t* map_ = nullptr;  // the whole mapping (base_ rounded up to kHuge inside it)
  size_t map_bytes_ = 0;
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t hot_size_ = 0;
  size_t used_ = 0;
  size_t cold_used_ = 0;
  size_t data_used_ = 0;
};

}  // namespace bt86
