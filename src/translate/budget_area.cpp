// The budget's address range (see budget_area.h): a guard page, then kSpan bytes readable. They
// are anonymous and never written, so every page reads as the host's shared zero page: the
// loads hit the same few cache lines whatever the count.
#include "translate/budget_area.h"

#include <sys/mman.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace bt86 {

BudgetArea::BudgetArea() {
  void* p = mmap(nullptr, kGuard + kSpan, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw std::runtime_error(std::string("cannot map the translator's budget area: ") + std::strerror(errno));
  map_ = static_cast<uint8_t*>(p);
  if (mprotect(map_ + kGuard, kSpan, PROT_READ) != 0) {
    const int e = errno;
    munmap(map_, kGuard + kSpan);
    throw std::runtime_error(std::string("cannot map the translator's budget area: ") + std::strerror(e));
  }
}

BudgetArea::~BudgetArea() { munmap(map_, kGuard + kSpan); }

}  // namespace bt86
