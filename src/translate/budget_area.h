// The instruction budget as an address. Translated code keeps the instructions it may still run
// in r13 as base() + count; each block's entry subtracts its length with LEA and loads a byte
// from [r13]. While the count is not negative the load reads the area (read-only zero pages);
// once it is, the address falls into the guard page below base() and the SIGSEGV handler sends
// the block to its budget exit. Neither instruction touches the host flags, so the guest's flags
// stay in the host across block entries (a SUB/JS check needed them saved first at every entry).
#pragma once
#include <cstddef>
#include <cstdint>

namespace bt86 {

class BudgetArea {
 public:
  static constexpr uint64_t kSpan = 16u << 20;  // the largest count r13 can hold (+1)
  static constexpr size_t kGuard = 4096;        // below base(): no block is longer than this
  BudgetArea();  // throws std::runtime_error if the host will not map it
  ~BudgetArea();
  BudgetArea(const BudgetArea&) = delete;
  BudgetArea& operator=(const BudgetArea&) = delete;

  uint64_t base() const { return uint64_t(map_) + kGuard; }
  // Whether a fault address is a block's budget check finding the count negative.
  bool exhausted_at(const void* addr) const {
    const uint64_t a = uint64_t(addr);
    return a >= uint64_t(map_) && a < base();
  }

 private:
  uint8_t* map_ = nullptr;
};

}  // namespace bt86
