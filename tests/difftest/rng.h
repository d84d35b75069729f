// Deterministic random numbers for the test generator: xoshiro256** seeded through splitmix64.
// Every test case gets its own generator derived from (run seed, case index), so any case can be
// regenerated alone (--replay SEED:INDEX) and the result never depends on the cases before it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace difftest {

class Rng {
 public:
  Rng(uint64_t seed, uint64_t index) {
    uint64_t x = seed * 0x9E3779B97F4A7C15ull ^ (index + 0x632BE59BD9B4E019ull);
    for (uint64_t& w : s_) w = splitmix(x);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0]; s_[3] ^= s_[1]; s_[1] ^= s_[2]; s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  uint32_t u32() { return uint32_t(next() >> 32); }
  // Uniform in [0, n) (n > 0).
  uint32_t below(uint32_t n) { return uint32_t((uint64_t(u32()) * n) >> 32); }
  // Uniform in [lo, hi].
  int32_t range(int32_t lo, int32_t hi) { return lo + int32_t(below(uint32_t(hi - lo + 1))); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <class T> T pick(std::initializer_list<T> items) { return items.begin()[below(uint32_t(items.size()))]; }
  template <class T, size_t N> const T& pick(const T (&items)[N]) { return items[below(N)]; }

  // A value of `bytes` size (1, 2 or 4) biased towards edge cases: 0, 1, all ones, sign
  // boundaries, small numbers, single bits, and otherwise uniform.
  uint32_t interesting(unsigned bytes) {
    const uint32_t mask = bytes == 4 ? 0xFFFFFFFFu : (1u << (8 * bytes)) - 1;
    const uint32_t sign = 1u << (8 * bytes - 1);
    switch (below(12)) {
      case 0: return pick({0u, 1u, 2u, mask, mask - 1});
      case 1: return pick({sign, sign - 1, sign + 1, sign - 2});
      case 2: return below(16);
      case 3: return (0u - below(16)) & mask;
      case 4: return (1u << below(8 * bytes)) & mask;
      case 5: return ~(1u << below(8 * bytes)) & mask;
      default: return u32() & mask;
    }
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
};

}  // namespace difftest
