// Result comparison (see compare.h).
#include "compare.h"
#include <cstdio>
#include <cstring>
#include "x87_values.h"

namespace difftest {

namespace {

constexpr uint16_t kCwCompared = 0x1F3F;  // RC, PC, exception masks (reserved bits excluded)
constexpr unsigned kMaxMemoryDiffs = 16;

std::string hex(uint64_t v, int digits) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%0*llx", digits, static_cast<unsigned long long>(v));
  return b;
}

uint16_t u16_at(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

std::string ext80_hex(const uint8_t* reg) {
  uint64_t mant;
  uint16_t se;
  std::memcpy(&mant, reg, 8);
  std::memcpy(&se, reg + 8, 2);
  return hex(se, 4) + ":" + hex(mant, 16).substr(2);
}

void compare_word(std::vector<Difference>& d, const char* field, uint32_t a, uint32_t b, uint32_t mask, int digits) {
  if ((a & mask) != (b & mask)) d.push_back({field, hex(a & mask, digits), hex(b & mask, digits)});
}

// "0x0895 [OF SF ZF AF PF CF]"-style rendering of the compared EFLAGS bits.
std::string flags_text(uint32_t v) {
  static const struct { uint32_t bit; const char* name; } flags[] = {
      {0x800, "OF"}, {0x400, "DF"}, {0x80, "SF"}, {0x40, "ZF"}, {0x10, "AF"}, {0x4, "PF"}, {0x1, "CF"}};
  std::string s = hex(v, 4) + " [";
  bool first = true;
  for (const auto& f : flags) {
    if (!(v & f.bit)) continue;
    s += (first ? "" : " ") + std::string(f.name);
    first = false;
  }
  return s + "]";
}

void compare_x87(std::vector<Difference>& d, const uint8_t* n, const uint8_t* i, uint16_t undefined_sw) {
  compare_word(d, "FPU CW", u16_at(n + fsave::kCw), u16_at(i + fsave::kCw), kCwCompared, 4);
  compare_word(d, "FPU SW", u16_at(n + fsave::kSw), u16_at(i + fsave::kSw), uint16_t(~undefined_sw), 4);
  const uint16_t ntw = u16_at(n + fsave::kTw), itw = u16_at(i + fsave::kTw);
  compare_word(d, "FPU TW", ntw, itw, 0xFFFF, 4);
  const unsigned top = (u16_at(n + fsave::kSw) >> 11) & 7;
  for (unsigned k = 0; k < 8; ++k) {
    const unsigned phys = (top + k) & 7;
    if (((ntw >> (2 * phys)) & 3) == 3) continue;  // empty registers' contents are not compared
    const uint8_t* a = n + fsave::kSt0 + 10 * k;
    const uint8_t* b = i + fsave::kSt0 + 10 * k;
    if (std::memcmp(a, b, 10) != 0) d.push_back({"ST(" + std::to_string(k) + ")", ext80_hex(a), ext80_hex(b)});
  }
}

void compare_memory(std::vector<Difference>& d, const uint8_t* n, const uint8_t* i, const uint8_t* init, uint32_t base) {
  unsigned reported = 0;
  for (uint32_t k = 0; k < DT_PAGE; ++k) {
    if (n[k] == i[k]) continue;
    if (reported++ == kMaxMemoryDiffs) {
      d.push_back({"mem ...", "(more differing bytes)", ""});
      return;
    }
    d.push_back({"mem[" + hex(base + k, 8) + "]", hex(n[k], 2), hex(i[k], 2) + "  (initially " + hex(init[k], 2) + ")"});
  }
}

}  // namespace

std::string describe_outcome(const dt_result& r) {
  static const char* names[] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#9",
                                "#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM"};
  if (r.status == DT_DONE) return "done at " + hex(r.eip, 8);
  if (r.status == DT_FAULT) {
    std::string v = r.vector < 20 ? names[r.vector] : "vector " + std::to_string(r.vector);
    return v + " at " + hex(r.eip, 8);
  }
  return "did not finish";
}

UndefinedFlags undefined_at_end(const TestCase& tc, const dt_result& native) {
  return tc.undefined_before(native.status == DT_DONE ? UINT32_MAX : native.eip - DT_CODE_ADDR);
}

std::vector<Difference> compare_results(const TestCase& tc, const dt_result& n, const dt_result& i) {
  std::vector<Difference> d;
  const bool same_outcome = n.status == i.status && n.eip == i.eip && (n.status != DT_FAULT || n.vector == i.vector);
  if (!same_outcome) d.push_back({"outcome", describe_outcome(n), describe_outcome(i)});
  if (same_outcome && n.status == DT_FAULT && n.vector == 14)  // #PF: present and write bits
    compare_word(d, "#PF error code (P,W)", n.error_code, i.error_code, 0x3, 1);
  if (same_outcome && n.status == DT_FAULT && n.vector == 13)
    compare_word(d, "#GP error code", n.error_code, i.error_code, 0xFFFF, 4);
  static const char* names[8] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
  for (unsigned k = 0; k < 8; ++k) compare_word(d, names[k], n.gpr[k], i.gpr[k], 0xFFFFFFFF, 8);
  const UndefinedFlags u = undefined_at_end(tc, n);
  const uint32_t flag_mask = DT_EFLAGS_MASK & ~u.eflags;
  if ((n.eflags ^ i.eflags) & flag_mask)
    d.push_back({"EFLAGS", flags_text(n.eflags & flag_mask), flags_text(i.eflags & flag_mask)});
  compare_x87(d, n.fpu, i.fpu, u.fpu_sw);
  compare_memory(d, n.data, i.data, tc.init.data, DT_DATA_ADDR);
  compare_memory(d, n.low, i.low, tc.init.low, DT_LOW_ADDR);
  return d;
}

}  // namespace difftest
