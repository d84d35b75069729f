// The differential-testing loop (see session.h).
#include "session.h"
#include <Zydis/Zydis.h>
#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include "compare.h"
#include "report.h"

namespace difftest {

std::string instruction_text(const TestCase& tc, size_t insn_index) {
  const InsnRecord& r = tc.insns.at(insn_index);
  ZydisDecoder dec;
  ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
  ZydisDecodedInstruction zi;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, tc.code.data() + r.offset, r.len, &zi, ops))) return "(undecodable)";
  ZydisFormatter fmt;
  ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_INTEL);
  char buf[128];
  ZydisFormatterFormatInstruction(&fmt, &zi, ops, zi.operand_count_visible, buf, sizeof buf, DT_CODE_ADDR + r.offset, nullptr);
  return buf;
}

namespace {
// Summary key: the culprit's mnemonic with its prefixes ("rep movsb", "lock add", "shl") and
// the kind of the first difference ("memory", "#PF error code (P,W)", "EAX", "outcome", ...).
std::string culprit_key(const std::string& text, const std::vector<Difference>& diffs) {
  size_t end = text.find(' ');
  for (const char* prefix : {"rep ", "repe ", "repne ", "lock "})
    if (text.rfind(prefix, 0) == 0) end = text.find(' ', end + 1);
  std::string field = diffs.empty() ? "?" : diffs.front().field;
  if (field.rfind("mem", 0) == 0) field = "memory";
  if (field.rfind("ST(", 0) == 0) field = "ST(i)";
  return text.substr(0, end) + " / " + field;
}
}  // namespace

std::string Session::replay_command(const TestCase& tc) const {
  return "bt86_difftest --replay " + std::to_string(tc.seed) + ":" + std::to_string(tc.index) + opt_.replay_args;
}

TestCase Session::shortest_diverging_prefix(const TestCase& tc) {
  std::vector<TestCase> prefixes;
  for (size_t n = 1; n < tc.insns.size(); ++n)
    if (tc.insns[n - 1].cut_ok) prefixes.push_back(tc.prefix(n));
  std::vector<const TestCase*> ptrs;
  for (const TestCase& p : prefixes) ptrs.push_back(&p);
  std::vector<dt_result> native;
  oracle_.run(ptrs, native);
  for (size_t k = 0; k < prefixes.size(); ++k)
    if (!compare_results(prefixes[k], native[k], interp_.run(prefixes[k])).empty()) return prefixes[k];
  return tc;
}

bool Session::check(const TestCase& tc, const dt_result& native) {
  if (opt_.verbose)  // before running, so a crash of the interpreter shows which case
    std::printf("case %llu:%llu (%s)\n", static_cast<unsigned long long>(tc.seed),
                static_cast<unsigned long long>(tc.index), tc.groups.c_str());
  dt_result interp;
  try {
    interp = interp_.run(tc);
  } catch (const std::exception& e) {
    std::printf("difftest: the interpreter threw on case %s: %s\n%s", replay_command(tc).c_str(), e.what(),
                disassemble(tc.code).c_str());
    ++culprits_["(interpreter threw)"].count;
    return true;
  }
  const std::vector<Difference> diffs = compare_results(tc, native, interp);
  if (opt_.verbose)
    std::printf("  native %s, interp %s\n%s", describe_outcome(native).c_str(), describe_outcome(interp).c_str(),
                disassemble(tc.code).c_str());
  if (diffs.empty()) return false;

  const TestCase culprit_case = opt_.minimize ? shortest_diverging_prefix(tc) : tc;
  const std::string text = culprit_case.insns.empty() ? "(empty)" : instruction_text(culprit_case, culprit_case.insns.size() - 1);
  std::vector<dt_result> n;
  oracle_.run({&culprit_case}, n);
  const dt_result i = interp_.run(culprit_case);
  const std::vector<Difference> culprit_diffs = compare_results(culprit_case, n[0], i);
  Culprit& c = culprits_[culprit_key(text, culprit_diffs)];
  if (c.count++ == 0) c.example = std::to_string(tc.seed) + ":" + std::to_string(tc.index) + "  " + text;

  if (reports_++ < opt_.max_reports) {
    std::string replay = replay_command(tc);
    if (culprit_case.insns.size() != tc.insns.size())
      replay += " --prefix " + std::to_string(culprit_case.insns.size());
    print_failure(stdout, culprit_case, n[0], i, culprit_diffs, replay);
    if (culprit_case.insns.size() != tc.insns.size())
      std::printf("  (shortest diverging prefix: %zu of %zu instructions; culprit: %s)\n", culprit_case.insns.size(),
                  tc.insns.size(), text.c_str());
  } else if (reports_ == opt_.max_reports + 1) {
    std::printf("difftest: further divergences are only counted (--max-reports)\n");
  }
  return true;
}

void Session::print_summary() const {
  if (culprits_.empty()) return;
  std::vector<std::pair<std::string, Culprit>> sorted(culprits_.begin(), culprits_.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second.count > b.second.count; });
  std::printf("\ndifftest: divergences by culprit instruction (count, example seed:index):\n");
  for (const auto& [key, c] : sorted)
    std::printf("  %-36s %7llu   %s\n", key.c_str(), static_cast<unsigned long long>(c.count), c.example.c_str());
}

SessionResult Session::run() {
  const uint64_t end = opt_.first + opt_.count;
  for (uint64_t start = opt_.first; start < end; start += opt_.batch) {
    const uint64_t n = std::min<uint64_t>(opt_.batch, end - start);
    std::vector<TestCase> cases;
    cases.reserve(n);
    for (uint64_t k = 0; k < n; ++k) {
      try {
        cases.push_back(generate(opt_.seed, start + k, gen_));
        if (opt_.prefix) cases.back() = cases.back().prefix(opt_.prefix);
      } catch (const std::logic_error& e) {
        std::printf("difftest: generator error in case %llu:%llu: %s\n", static_cast<unsigned long long>(opt_.seed),
                    static_cast<unsigned long long>(start + k), e.what());
        ++result_.failed;
      }
    }
    std::vector<const TestCase*> ptrs;
    for (const TestCase& tc : cases) ptrs.push_back(&tc);
    std::vector<dt_result> native;
    oracle_.run(ptrs, native);
    for (size_t k = 0; k < cases.size(); ++k) {
      if (check(cases[k], native[k])) ++result_.failed;
      else ++result_.passed;
    }
  }
  print_summary();
  return result_;
}

}  // namespace difftest
