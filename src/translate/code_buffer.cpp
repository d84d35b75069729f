// The code cache's memory (see code_buffer.h).
#include "translate/code_buffer.h"

#include <sys/mman.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace bt86 {

// The code area starts on a 2 MiB boundary and asks for transparent huge pages: filling it takes
// a page fault per 2 MiB instead of per 4 KiB, and running it fewer iTLB entries (where the host
// allows THP for madvise'd memory; otherwise it is ordinary memory).
CodeBuffer::CodeBuffer(size_t bytes)
    : size_((bytes + kHuge - 1) & ~(kHuge - 1)), hot_size_((size_ / 8 * kHotEighths + kHuge - 1) & ~(kHuge - 1)) {
  map_bytes_ = size_ + kDataBytes + kHuge;
  void* p = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw std::runtime_error(std::string("cannot map the translation cache: ") + std::strerror(errno));
  map_ = static_cast<uint8_t*>(p);
  base_ = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(map_) + kHuge - 1) & ~uintptr_t(kHuge - 1));
  madvise(base_, size_, MADV_HUGEPAGE);
  mprotect(base_ + size_, kDataBytes, PROT_READ | PROT_WRITE);  // (data is never executed)
}

CodeBuffer::~CodeBuffer() { munmap(map_, map_bytes_); }

// At most two long NOPs for the up to 15 bytes (the recommended 1- to 8-byte forms).
void CodeBuffer::fill_nops(uint8_t* at, size_t n) {
  static const uint8_t nops[9][8] = {{},
                                     {0x90},
                                     {0x66, 0x90},
                                     {0x0F, 0x1F, 0x00},
                                     {0x0F, 0x1F, 0x40, 0x00},
                                     {0x0F, 0x1F, 0x44, 0x00, 0x00},
                                     {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
                                     {0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00},
                                     {0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00}};
  while (n) {
    const size_t k = n > 8 ? 8 : n;
    std::memcpy(at, nops[k], k);
    at += k;
    n -= k;
  }
}

}  // namespace bt86
