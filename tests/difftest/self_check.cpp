// The tester's self-check (see self_check.h).
#include "self_check.h"
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>
#include "compare.h"
#include "x87_values.h"

namespace difftest {

namespace {

class Checker {
 public:
  void expect(bool ok, const std::string& what) {
    std::printf("  %s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    (ok ? passed_ : failed_)++;
  }
  unsigned passed() const { return passed_; }
  unsigned failed() const { return failed_; }

 private:
  unsigned passed_ = 0, failed_ = 0;
};

constexpr uint32_t kStack = DT_DATA_ADDR + 0x800;

// Zeroed registers (ESP in the data page), flags clear, x87 after FNINIT, zeroed data pages.
TestCase plain_case(const std::vector<uint8_t>& code) {
  TestCase tc;
  tc.code = code;
  tc.init.code_len = uint32_t(code.size());
  tc.init.gpr[4] = kStack;
  const uint16_t cw = 0x037F, tw = 0xFFFF;
  std::memcpy(tc.init.fpu + fsave::kCw, &cw, 2);
  std::memcpy(tc.init.fpu + fsave::kTw, &tw, 2);
  return tc;
}

// A case built with the emitter, so its flag records are real.
template <class Build> TestCase emitted_case(Build build) {
  TestCase tc = plain_case({});
  Rng rng(0, 0);
  Emitter e(tc, rng);
  build(e);
  return tc;
}

uint16_t sw_of(const dt_result& r) { uint16_t v; std::memcpy(&v, r.fpu + fsave::kSw, 2); return v; }

void check_known_answers(Checker& ck, NativeOracle& oracle) {
  struct Known {
    const char* what;
    std::vector<uint8_t> code;
    std::function<bool(const dt_result&)> ok;
    uint32_t data_word = 0;  // stored at DT_DATA_ADDR before running
  };
  const uint32_t end = DT_CODE_ADDR;
  std::vector<Known> known = {
      {"mov eax,1; add eax,eax -> EAX=2", {0xB8, 1, 0, 0, 0, 0x01, 0xC0},
       [&](const dt_result& r) { return r.status == DT_DONE && r.eip == end + 7 && r.gpr[0] == 2; }},
      {"stc; sbb eax,eax -> EAX=-1, CF", {0xF9, 0x19, 0xC0},
       [](const dt_result& r) { return r.gpr[0] == 0xFFFFFFFF && (r.eflags & 1); }},
      {"xor edx,edx; div edx -> #DE at the DIV", {0x31, 0xD2, 0xF7, 0xF2},
       [&](const dt_result& r) { return r.status == DT_FAULT && r.vector == 0 && r.eip == end + 2 && (r.eflags & 0x40); }},
      {"mov dword [data+0x10], 0x12345678", {0xC7, 0x05, 0x10, 0x00, 0x18, 0x00, 0x78, 0x56, 0x34, 0x12},
       [](const dt_result& r) { uint32_t v; std::memcpy(&v, r.data + 0x10, 4); return r.status == DT_DONE && v == 0x12345678; }},
      {"push 0x11223344 -> ESP-4 and the bytes", {0x68, 0x44, 0x33, 0x22, 0x11},
       [](const dt_result& r) { uint32_t v; std::memcpy(&v, r.data + 0x7FC, 4); return r.gpr[4] == kStack - 4 && v == 0x11223344; }},
      {"ud2 -> #UD", {0x0F, 0x0B}, [&](const dt_result& r) { return r.status == DT_FAULT && r.vector == 6 && r.eip == end; }},
      {"hlt at CPL 3 -> #GP(0)", {0xF4}, [&](const dt_result& r) { return r.status == DT_FAULT && r.vector == 13 && r.error_code == 0; }},
      {"read of the guard page -> #PF (read, not present)", {0xA1, 0x00, 0x10, 0x18, 0x00},
       [&](const dt_result& r) { return r.status == DT_FAULT && r.vector == 14 && (r.error_code & 3) == 0 && r.eip == end; }},
      {"int3 -> #BP after the instruction", {0xCC}, [&](const dt_result& r) { return r.status == DT_FAULT && r.vector == 3 && r.eip == end + 1; }},
      {"mov ecx,3; rep stosb (EDI=data+0x100, AL=0xAB)", {0xB8, 0xAB, 0, 0, 0, 0xBF, 0x00, 0x01, 0x18, 0x00, 0xB9, 3, 0, 0, 0, 0xF3, 0xAA},
       [](const dt_result& r) {
         return r.gpr[1] == 0 && r.gpr[7] == DT_DATA_ADDR + 0x103 && r.data[0x100] == 0xAB && r.data[0x102] == 0xAB && r.data[0x103] == 0;
       }},
      {"fld1; fldz; fdivp -> ZE, ST0=+inf", {0xD9, 0xE8, 0xD9, 0xEE, 0xDE, 0xF9},
       [](const dt_result& r) {
         uint64_t m; uint16_t se;
         std::memcpy(&m, r.fpu + fsave::kSt0, 8);
         std::memcpy(&se, r.fpu + fsave::kSt0 + 8, 2);
         return (sw_of(r) & 0x3804) == 0x3804 && se == 0x7FFF && m == 1ull << 63;
       }},
      {"jmp $ -> stopped after a second (timeout)", {0xEB, 0xFE}, [](const dt_result& r) { return r.status == DT_TIMEOUT; }},
      {"unmasked ZE: fldcw; fld1; fldz; fdivp; fwait -> #MF at FWAIT",
       {0xD9, 0x2D, 0x00, 0x00, 0x18, 0x00, 0xD9, 0xE8, 0xD9, 0xEE, 0xDE, 0xF9, 0x9B},
       [&](const dt_result& r) { return r.status == DT_FAULT && r.vector == 16 && r.eip == end + 12 && (sw_of(r) & 0x84) == 0x84; },
       0x037B},
  };
  std::vector<TestCase> cases;
  for (const Known& k : known) {
    cases.push_back(plain_case(k.code));
    std::memcpy(cases.back().init.data, &k.data_word, 4);
  }
  std::vector<const TestCase*> ptrs;
  for (const TestCase& tc : cases) ptrs.push_back(&tc);
  std::vector<dt_result> results;
  oracle.run(ptrs, results);
  for (size_t k = 0; k < known.size(); ++k)
    ck.expect(known[k].ok(results[k]), std::string("native: ") + known[k].what + "  [" + describe_outcome(results[k]) + "]");
}

bool reports(const std::vector<Difference>& d, const std::string& field) {
  for (const Difference& x : d)
    if (x.field.rfind(field, 0) == 0) return true;
  return false;
}

// The comparator must see every planted difference in a defined field.
void check_comparator(Checker& ck, NativeOracle& oracle, const GeneratorOptions& gen) {
  std::vector<TestCase> cases;
  for (uint64_t i = 0; i < 16; ++i) cases.push_back(generate(4242, i, gen));
  std::vector<const TestCase*> ptrs;
  for (const TestCase& tc : cases) ptrs.push_back(&tc);
  std::vector<dt_result> native;
  oracle.run(ptrs, native);
  unsigned identical = 0, caught = 0, planted = 0;
  for (size_t k = 0; k < cases.size(); ++k) {
    const TestCase& tc = cases[k];
    const dt_result& n = native[k];
    identical += compare_results(tc, n, n).empty();
    auto plant = [&](const char* field, auto mutate) {  // mutate returns false if not applicable
      dt_result wrong = n;
      if (!mutate(wrong)) return;
      ++planted;
      caught += reports(compare_results(tc, n, wrong), field);
    };
    plant("E", [&](dt_result& w) { w.gpr[k % 8] ^= 1u << (k % 32); return true; });
    plant("outcome", [](dt_result& w) { w.status = w.status == DT_DONE ? DT_FAULT : DT_DONE; return true; });
    plant("outcome", [](dt_result& w) { w.eip += 1; return true; });
    plant("mem[", [&](dt_result& w) { w.data[(k * 131) % DT_PAGE] ^= 0x10; return true; });
    plant("mem[", [&](dt_result& w) { w.low[(k * 71) % DT_PAGE] ^= 0x01; return true; });
    plant("FPU CW", [](dt_result& w) { w.fpu[fsave::kCw + 1] ^= 0x0C; return true; });  // rounding control
    plant("FPU TW", [](dt_result& w) { w.fpu[fsave::kTw] ^= 0x03; return true; });
    plant("ST(", [&](dt_result& w) {  // a bit of a non-empty register
      uint16_t tw;
      std::memcpy(&tw, w.fpu + fsave::kTw, 2);
      const unsigned top = (sw_of(w) >> 11) & 7;
      for (unsigned i = 0; i < 8; ++i)
        if (((tw >> (2 * ((top + i) & 7))) & 3) != 3) { w.fpu[fsave::kSt0 + 10 * i] ^= 1; return true; }
      return false;
    });
  }
  ck.expect(identical == cases.size(), "comparator: identical results compare equal (" + std::to_string(identical) + "/" +
                                           std::to_string(cases.size()) + ")");
  ck.expect(caught == planted, "comparator: planted differences reported (" + std::to_string(caught) + "/" + std::to_string(planted) + ")");

  // Flags: MUL leaves SF ZF AF PF undefined (ignored) but defines CF and OF; FADD leaves
  // C0 C2 C3 undefined but defines C1.
  TestCase mul = emitted_case([](Emitter& e) { e.raw({0xF7, 0xE3}); });
  TestCase fadd = emitted_case([](Emitter& e) { e.raw({0xD9, 0xE8}); e.raw({0xD8, 0xC0}); });
  std::vector<dt_result> r;
  oracle.run({&mul, &fadd}, r);
  auto flipped = [](const dt_result& base, auto mutate) { dt_result w = base; mutate(w); return w; };
  ck.expect(compare_results(mul, r[0], flipped(r[0], [](dt_result& w) { w.eflags ^= 0xD4; })).empty(),
            "comparator: MUL's undefined SF ZF AF PF are ignored");
  ck.expect(reports(compare_results(mul, r[0], flipped(r[0], [](dt_result& w) { w.eflags ^= 0x800; })), "EFLAGS"),
            "comparator: MUL's OF is compared");
  ck.expect(compare_results(fadd, r[1], flipped(r[1], [](dt_result& w) { w.fpu[fsave::kSw + 1] ^= 0x45; })).empty(),
            "comparator: FADD's undefined C0 C2 C3 are ignored");
  ck.expect(reports(compare_results(fadd, r[1], flipped(r[1], [](dt_result& w) { w.fpu[fsave::kSw + 1] ^= 0x02; })), "FPU SW"),
            "comparator: FADD's C1 is compared");
  // A later instruction that reads an undefined flag gets a defining CMP inserted before it.
  TestCase setp = emitted_case([](Emitter& e) { e.raw({0xF7, 0xE3}); e.raw({0x0F, 0x9A, 0xC0}); });  // mul ebx; setp al
  ck.expect(setp.insns.size() == 3, "emitter: SETP after MUL gets a flag-defining CMP first");
}

// Generated sequences run natively: deterministic, faults rare and inside the sequence.
void check_generator(Checker& ck, NativeOracle& oracle, const GeneratorOptions& base) {
  const TestCase a = generate(99, 5, base), b = generate(99, 5, base);
  ck.expect(a.code == b.code && std::memcmp(&a.init, &b.init, sizeof a.init) == 0, "generator: a case is reproducible from seed:index");
  for (const Group& g : all_groups()) {
    GeneratorOptions opt = base;
    opt.groups = {&g};
    std::vector<TestCase> cases;
    for (uint64_t i = 0; i < 400; ++i) cases.push_back(generate(777, i, opt));
    std::vector<const TestCase*> ptrs;
    for (const TestCase& tc : cases) ptrs.push_back(&tc);
    std::vector<dt_result> native;
    oracle.run(ptrs, native);
    unsigned faults = 0, outside = 0;
    std::map<uint32_t, unsigned> vectors;
    for (size_t k = 0; k < cases.size(); ++k) {
      if (native[k].status != DT_FAULT) continue;
      ++faults;
      ++vectors[native[k].vector];
      const bool inside = native[k].eip >= DT_CODE_ADDR && native[k].eip <= DT_CODE_ADDR + cases[k].code.size();
      outside += !inside;
    }
    std::string hist;
    for (const auto& [v, n] : vectors) hist += " #" + std::to_string(v) + "x" + std::to_string(n);
    const unsigned limit = std::string(g.name) == "x87exc" ? 90 : 25;  // percent
    ck.expect(outside == 0 && faults * 100 <= limit * cases.size(),
              std::string("generator: group ") + g.name + ": " + std::to_string(faults) + "/400 fault natively" + hist);
  }
}

}  // namespace

unsigned run_self_check(NativeOracle& oracle, const GeneratorOptions& gen) {
  Checker ck;
  std::printf("difftest self-check (native runner, comparator, generator):\n");
  check_known_answers(ck, oracle);
  check_comparator(ck, oracle, gen);
  check_generator(ck, oracle, gen);
  std::printf("difftest self-check: %u passed, %u failed\n", ck.passed(), ck.failed());
  return ck.failed();
}

}  // namespace difftest
