// The code cache's memory: one fixed read/write/execute mapping that translated blocks are
// appended to. Flush policy (translator.cpp): when a block does not fit, every translated block is
// dropped and the buffer starts again from the routines at its start (QEMU's tb_flush model);
// nothing is freed block by block.
#pragma once
#include <cstddef>
#include <cstdint>

namespace bt86 {

class CodeBuffer {
 public:
  explicit CodeBuffer(size_t bytes);
  ~CodeBuffer();
  CodeBuffer(const CodeBuffer&) = delete;
  CodeBuffer& operator=(const CodeBuffer&) = delete;

  uint8_t* cursor() const { return base_ + used_; }
  size_t room() const { return size_ - used_; }
  void commit(size_t n) { used_ += (n + 15) & ~size_t(15); }
  // Everything after the first `keep` bytes (the shared routines) is free again.
  void reset_to(size_t keep) { used_ = keep; }
  size_t used() const { return used_; }
  size_t size() const { return size_; }
  bool contains(const void* p) const {
    return static_cast<const uint8_t*>(p) >= base_ && static_cast<const uint8_t*>(p) < base_ + size_;
  }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t used_ = 0;
};

}  // namespace bt86
