// Flag-definedness bookkeeping over instruction prefixes of a test case.
#include "test_case.h"

namespace difftest {

UndefinedFlags TestCase::undefined_before(uint32_t end) const {
  UndefinedFlags u;
  for (const InsnRecord& r : insns) {
    if (r.offset >= end) break;
    u.eflags = (u.eflags & ~r.cpu_written) | r.cpu_undefined;
    for (unsigned n = 0; n < 4; ++n) {
      if (!(r.fpu_written & (1u << n))) continue;
      if (r.fpu_undefined & (1u << n)) u.fpu_sw |= fpu_cc_bit(n);
      else u.fpu_sw &= uint16_t(~fpu_cc_bit(n));
    }
  }
  return u;
}

TestCase TestCase::prefix(size_t n) const {
  TestCase t = *this;
  if (n >= insns.size()) return t;
  t.insns.resize(n);
  const uint32_t len = n == 0 ? 0 : insns[n - 1].offset + insns[n - 1].len;
  t.code.resize(len);
  t.init.code_len = len;
  return t;
}

}  // namespace difftest
