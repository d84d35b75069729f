// Failure report printing (see report.h).
#include "report.h"
#include <capstone/capstone.h>
#include <cstring>
#include "x87_values.h"

namespace difftest {

std::string disassemble(const std::vector<uint8_t>& code, uint32_t mark_eip) {
  std::string out;
  csh handle;
  if (cs_open(CS_ARCH_X86, CS_MODE_32, &handle) != CS_ERR_OK) return "  (capstone unavailable)\n";
  cs_insn* insn = nullptr;
  const size_t n = cs_disasm(handle, code.data(), code.size(), DT_CODE_ADDR, 0, &insn);
  size_t covered = 0;
  char line[256];
  for (size_t k = 0; k < n; ++k) {
    std::string bytes;
    for (uint16_t b = 0; b < insn[k].size; ++b) {
      char h[4];
      std::snprintf(h, sizeof h, "%02x ", insn[k].bytes[b]);
      bytes += h;
    }
    std::snprintf(line, sizeof line, "  %s %08llx: %-30s %s %s\n", insn[k].address == mark_eip ? "=>" : "  ",
                  static_cast<unsigned long long>(insn[k].address), bytes.c_str(), insn[k].mnemonic, insn[k].op_str);
    out += line;
    covered += insn[k].size;
  }
  if (covered < code.size()) out += "  (capstone stopped; remaining bytes not disassembled)\n";
  if (n) cs_free(insn, n);
  cs_close(&handle);
  return out;
}

void print_state(FILE* out, const char* title, const uint32_t gpr[8], uint32_t eflags, const uint8_t* fpu) {
  static const char* names[8] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
  std::fprintf(out, "  %s:\n   ", title);
  for (unsigned k = 0; k < 8; ++k) std::fprintf(out, " %s=%08x", names[k], gpr[k]);
  uint16_t cw, sw, tw;
  std::memcpy(&cw, fpu + fsave::kCw, 2);
  std::memcpy(&sw, fpu + fsave::kSw, 2);
  std::memcpy(&tw, fpu + fsave::kTw, 2);
  std::fprintf(out, "\n    EFLAGS=%04x  FPU CW=%04x SW=%04x (TOP=%u) TW=%04x\n", eflags, cw, sw, (sw >> 11) & 7, tw);
  const unsigned top = (sw >> 11) & 7;
  for (unsigned k = 0; k < 8; ++k) {
    const unsigned phys = (top + k) & 7;
    if (((tw >> (2 * phys)) & 3) == 3) continue;
    uint64_t mant;
    uint16_t se;
    long double v = 0;
    std::memcpy(&mant, fpu + fsave::kSt0 + 10 * k, 8);
    std::memcpy(&se, fpu + fsave::kSt0 + 10 * k + 8, 2);
    std::memcpy(&v, fpu + fsave::kSt0 + 10 * k, 10);
    std::fprintf(out, "    ST(%u)=%04x:%016llx (%Lg)\n", k, se, static_cast<unsigned long long>(mant), v);
  }
}

void print_failure(FILE* out, const TestCase& tc, const dt_result& native, const dt_result& interp,
                   const std::vector<Difference>& diffs, const std::string& replay_command) {
  std::fprintf(out, "\ndifftest: DIVERGENCE seed=%llu index=%llu groups=%s\n", static_cast<unsigned long long>(tc.seed),
               static_cast<unsigned long long>(tc.index), tc.groups.c_str());
  std::fprintf(out, "  replay: %s\n", replay_command.c_str());
  std::fprintf(out, "  code (%zu bytes):", tc.code.size());
  for (uint8_t b : tc.code) std::fprintf(out, " %02x", b);
  std::fprintf(out, "\n%s", disassemble(tc.code, native.status == DT_FAULT ? native.eip : 0).c_str());
  print_state(out, "initial", tc.init.gpr, tc.init.eflags, tc.init.fpu);
  std::fprintf(out, "  native: %s\n  interp: %s\n", describe_outcome(native).c_str(), describe_outcome(interp).c_str());
  print_state(out, "native final", native.gpr, native.eflags, native.fpu);
  print_state(out, "interp final", interp.gpr, interp.eflags, interp.fpu);
  const UndefinedFlags u = undefined_at_end(tc, native);
  std::fprintf(out, "  not compared (undefined): EFLAGS %04x, FPU SW %04x\n", u.eflags, u.fpu_sw);
  std::fprintf(out, "  differences (* field: native | interp):\n");
  for (const Difference& d : diffs)
    std::fprintf(out, "  * %-22s %s | %s\n", d.field.c_str(), d.native.c_str(), d.interp.c_str());
}

}  // namespace difftest
