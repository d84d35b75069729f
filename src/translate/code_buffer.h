// The code cache's memory: one fixed read/write/execute mapping that translated blocks are
// appended to, followed by a read/write data area for what translated code reads and writes at run
// time (the inline caches of indirect branches: on pages of their own, so writing them never
// touches a cache line that holds code) and the callout sites its code passes to C++ (both live
// exactly as long as the code). Flush policy (translator.cpp): when a block or its data
// does not fit, every translated block is dropped and both areas start again (the code area from
// the routines at its start; QEMU's tb_flush model); nothing is freed block by block.
#pragma once
#include <cstddef>
#include <cstdint>

namespace bt86 {

class CodeBuffer {
 public:
  static constexpr size_t kDataBytes = 8u << 20;
  static constexpr size_t kHuge = 2u << 20;  // code area alignment (transparent huge pages)
  explicit CodeBuffer(size_t bytes);
  ~CodeBuffer();
  CodeBuffer(const CodeBuffer&) = delete;
  CodeBuffer& operator=(const CodeBuffer&) = delete;

  uint8_t* cursor() const { return base_ + used_; }
  size_t room() const { return size_ - used_; }
  void commit(size_t n) { used_ += (n + 15) & ~size_t(15); }
  // Everything after the first `keep` bytes (the shared routines) is free again.
  void reset_to(size_t keep) {
    used_ = keep;
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
  size_t size() const { return size_; }
  bool contains(const void* p) const {
    return static_cast<const uint8_t*>(p) >= base_ && static_cast<const uint8_t*>(p) < base_ + size_;
  }

 private:
  uint8_t* map_ = nullptr;  // the whole mapping (base_ rounded up to kHuge inside it)
  size_t map_bytes_ = 0;
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t used_ = 0;
  size_t data_used_ = 0;
};

}  // namespace bt86
