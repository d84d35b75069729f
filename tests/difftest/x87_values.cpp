// Random x87 / IEEE operand values (see x87_values.h).
#include "x87_values.h"
#include <cstring>

namespace difftest {

namespace {
// An 80-bit value from a host long double (exact for every int64 and every double).
Ext80 from_long_double(long double v) {
  uint8_t b[16] = {};
  std::memcpy(b, &v, 10);
  Ext80 e;
  std::memcpy(&e.mant, b, 8);
  std::memcpy(&e.se, b + 8, 2);
  return e;
}
}  // namespace

Ext80 random_ext80(Rng& rng) {
  const uint16_t sign = rng.chance(50) ? 0x8000 : 0;
  const uint64_t j = 1ull << 63;
  uint64_t frac = rng.next() & (j - 1);
  Ext80 e;
  switch (rng.below(16)) {
    case 0: e = {0, 0}; break;                                            // zero
    case 1: e = {frac | 1, 0}; break;                                     // denormal
    case 2: e = {j | frac, 0}; break;                                     // pseudo-denormal
    case 3: e = {j, 0x7FFF}; break;                                       // infinity
    case 4: e = {j | (1ull << 62) | (frac >> rng.below(62)), 0x7FFF}; break;  // QNaN
    case 5: e = {j | ((frac >> 1) | 1), 0x7FFF}; break;                   // SNaN
    case 6: e = {j | (1ull << 62), 0xFFFF}; return e;                     // real indefinite
    case 7: e = {frac, uint16_t(1 + rng.below(0x7FFE))}; break;           // unnormal / pseudo-NaN
    case 8: {  // integers and half-integers, for rounding and integer stores
      int64_t v = int64_t(random_int64(rng, rng.pick({2u, 4u, 8u})));
      long double x = rng.chance(30) ? (long double)v / 2 : (long double)v;
      e = from_long_double(x);
      return e;
    }
    case 9: e = {j | frac, uint16_t(rng.chance(50) ? 1 + rng.below(64) : 0x7FFE - rng.below(64))}; break;  // extreme
    case 10: e = {j | (rng.chance(50) ? 0 : frac >> rng.below(63)), uint16_t(0x3FFF + rng.range(-4, 4))}; break;
    default: e = {j | frac, uint16_t(0x3FFF + rng.range(-80, 80))}; break;  // ordinary normal
  }
  e.se = uint16_t(e.se | sign);
  return e;
}

uint32_t random_f32(Rng& rng) {
  const uint32_t sign = rng.chance(50) ? 0x80000000u : 0;
  const uint32_t frac = rng.u32() & 0x7FFFFF;
  switch (rng.below(10)) {
    case 0: return sign;
    case 1: return sign | frac | 1;                          // denormal
    case 2: return sign | 0x7F800000u;                       // infinity
    case 3: return sign | 0x7FC00000u | frac;                // QNaN
    case 4: return sign | 0x7F800000u | ((frac >> 1) | 1);   // SNaN
    case 5: return sign | (uint32_t(rng.pick({1u, 254u, 127u, 126u, 150u})) << 23) | frac;
    default: return sign | (uint32_t(127 + rng.range(-40, 40)) << 23) | frac;
  }
}

uint64_t random_f64(Rng& rng) {
  const uint64_t sign = rng.chance(50) ? 1ull << 63 : 0;
  const uint64_t frac = rng.next() & ((1ull << 52) - 1);
  const uint64_t exp_max = 0x7FFull << 52;
  switch (rng.below(10)) {
    case 0: return sign;
    case 1: return sign | frac | 1;
    case 2: return sign | exp_max;
    case 3: return sign | exp_max | (1ull << 51) | frac;
    case 4: return sign | exp_max | ((frac >> 1) | 1);
    case 5: return sign | (uint64_t(rng.pick({1u, 2046u, 1023u, 1022u, 1075u})) << 52) | frac;
    default: return sign | (uint64_t(1023 + rng.range(-200, 200)) << 52) | frac;
  }
}

uint64_t random_int64(Rng& rng, unsigned bytes) {
  const unsigned bits = 8 * bytes;
  const uint64_t sign = 1ull << (bits - 1);
  uint64_t v;
  switch (rng.below(6)) {
    case 0: v = rng.pick<uint64_t>({0, 1, ~uint64_t(0), sign, sign - 1, sign + 1}); break;
    case 1: v = uint64_t(rng.range(-1000, 1000)); break;
    case 2: v = rng.next() >> rng.below(64); break;
    default: v = rng.next(); break;
  }
  if (bits < 64) v = uint64_t(int64_t(v << (64 - bits)) >> (64 - bits));  // sign-extend
  return v;
}

void random_bcd(Rng& rng, uint8_t out[10]) {
  const unsigned digits = rng.below(19);
  for (unsigned k = 0; k < 9; ++k) {
    uint8_t lo = k * 2 < digits ? uint8_t(rng.below(10)) : 0;
    uint8_t hi = k * 2 + 1 < digits ? uint8_t(rng.below(10)) : 0;
    out[k] = uint8_t(lo | hi << 4);
  }
  out[9] = rng.chance(50) ? 0x80 : 0;
  if (rng.chance(10)) out[rng.below(9)] |= 0xA0;  // an invalid digit
  if (rng.chance(5)) out[9] |= uint8_t(rng.below(128));
}

unsigned x87_tag_of(const uint8_t reg[10]) {
  uint64_t mant;
  uint16_t se;
  std::memcpy(&mant, reg, 8);
  std::memcpy(&se, reg + 8, 2);
  const unsigned exp = se & 0x7FFF;
  if (exp == 0x7FFF) return 2;
  if (exp == 0) return mant == 0 ? 1 : 2;
  return (mant >> 63) ? 0 : 2;
}

}  // namespace difftest
