// The code cache's memory (see code_buffer.h).
#include "translate/code_buffer.h"

#include <sys/mman.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace bt86 {

CodeBuffer::CodeBuffer(size_t bytes) : size_((bytes + 4095) & ~size_t(4095)) {
  void* p = mmap(nullptr, size_ + kDataBytes, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw std::runtime_error(std::string("cannot map the translation cache: ") + std::strerror(errno));
  base_ = static_cast<uint8_t*>(p);
  mprotect(base_ + size_, kDataBytes, PROT_READ | PROT_WRITE);  // (data is never executed)
}

CodeBuffer::~CodeBuffer() { munmap(base_, size_ + kDataBytes); }

}  // namespace bt86
