// Shared helpers of the x87 tests (test_x87_*.cpp): a CPU fixture that runs a nasm snippet
// (FNINIT first, HLT appended), 80-bit value helpers, and a way to run the same x87 code natively
// in the test process so the host CPU serves as the oracle.
#pragma once
#include <cstring>
#include <string>
#include "cpu_fixture.h"
#include "cpu/fpu_state.h"

namespace bt86 {

// An 80-bit extended value as its two fields, comparable bit-exactly and printable.
struct Ext80 {
  uint64_t mant = 0;
  uint16_t se = 0;  // sign and exponent
  bool operator==(const Ext80&) const = default;
};
inline Ext80 ext80(long double v) {
  Ext80 e;
  std::memcpy(&e.mant, &v, 8);
  std::memcpy(&e.se, reinterpret_cast<const uint8_t*>(&v) + 8, 2);
  return e;
}
inline Ext80 ext80(uint16_t se, uint64_t mant) { return Ext80{mant, se}; }
inline std::ostream& operator<<(std::ostream& o, const Ext80& e) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04x:%016llx", e.se, static_cast<unsigned long long>(e.mant));
  return o << buf;
}
constexpr Ext80 kIndefinite{0xC000000000000000ull, 0xFFFF};  // QNaN floating-point indefinite

// Data area the snippets use (physical = linear in the flat fixture).
constexpr uint32_t kData = CpuFixture::kDataAddr;

struct X87Fixture : CpuFixture {
  explicit X87Fixture(bool protected32 = true) : CpuFixture(protected32) {}

  // Assemble `body` preceded by FNINIT (unless `init` is false) and followed by HLT, and run it.
  void run_asm(const std::string& body, bool init = true) {
    load_asm((init ? "fninit\n" : "") + body + "\nhlt");
    run();
  }
  FpuState& fpu() { return cpu.s.fpu; }
  Ext80 st(unsigned i) { return ext80(fpu().regs[fpu().phys(i)]); }
  unsigned top() { return fpu().top(); }
  unsigned tag_of_st(unsigned i) { return fpu().tag(fpu().phys(i)); }
  template <class T> void put(uint32_t addr, T v) { poke<T>(addr, v); }
  void put_ext(uint32_t addr, Ext80 v) {
    poke<uint64_t>(addr, v.mant);
    poke<uint16_t>(addr + 8, v.se);
  }
  Ext80 get_ext(uint32_t addr) { return Ext80{peek<uint64_t>(addr), peek<uint16_t>(addr + 8)}; }
};

// Host oracle: the state of the native x87 after running some instructions, captured with FNSAVE.
struct NativeX87 {
  uint16_t cw, sw, tw;
  Ext80 st[8];
};
// Runs `insns` (AT&T syntax, may use %[m] as a memory operand) natively after loading `cw`.
// The FPU starts initialised; `m` points to scratch memory the instructions may use.
#define NATIVE_X87(result, cw_value, m_ptr, insns)                                          \
  do {                                                                                      \
    uint8_t image_[108];                                                                    \
    uint16_t cw_ = (cw_value);                                                              \
    asm volatile("fninit\n\tfldcw %[cw]\n\t" insns "\n\tfnsave %[img]"                      \
                 : [img] "=m"(image_)                                                       \
                 : [cw] "m"(cw_), [m] "r"(m_ptr)                                            \
                 : "memory", "rax", "cc", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"); \
    std::memcpy(&(result).cw, image_, 2);                                                   \
    std::memcpy(&(result).sw, image_ + 4, 2);                                               \
    std::memcpy(&(result).tw, image_ + 8, 2);                                               \
    for (int i_ = 0; i_ < 8; ++i_) {                                                        \
      std::memcpy(&(result).st[i_].mant, image_ + 28 + 10 * i_, 8);                         \
      std::memcpy(&(result).st[i_].se, image_ + 36 + 10 * i_, 2);                           \
    }                                                                                       \
  } while (0)

}  // namespace bt86
