// Lockstep checking of an engine against a reference engine. See lockstep.h.
#include "cpu/lockstep.h"

#include <cinttypes>
#include <cstring>
#include "cpu/block.h"
#include "cpu/cpu.h"
#include "cpu/cpu_trace.h"

namespace bt86 {

namespace {

constexpr uint32_t kComparedAttention = attn::HALT | attn::SHUTDOWN | attn::IRQ_SHADOW;

void differ32(std::vector<std::string>& out, const char* name, uint32_t a, uint32_t b) {
  if (a == b) return;
  char line[96];
  std::snprintf(line, sizeof line, "%-8s %08x != %08x", name, a, b);
  out.emplace_back(line);
}

void differ_seg(std::vector<std::string>& out, const char* name, const Segment& a, const Segment& b) {
  if (a.sel == b.sel && a.base == b.base && a.limit == b.limit && a.attr == b.attr) return;
  char line[160];
  std::snprintf(line, sizeof line, "%-8s %04x %08x %08x %08x != %04x %08x %08x %08x", name, a.sel,
                a.base, a.limit, a.attr, b.sel, b.base, b.limit, b.attr);
  out.emplace_back(line);
}

}  // namespace

std::vector<std::string> state_differences(const CpuState& a, const CpuState& b) {
  std::vector<std::string> d;
  static const char* gpr[8] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
  for (unsigned k = 0; k < 8; ++k) differ32(d, gpr[k], a.r[k], b.r[k]);
  differ32(d, "EIP", a.eip, b.eip);
  differ32(d, "EFLAGS", a.eflags, b.eflags);
  static const char* seg[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};
  for (unsigned k = 0; k < 6; ++k) differ_seg(d, seg[k], a.seg[k], b.seg[k]);
  differ_seg(d, "LDTR", a.ldtr, b.ldtr);
  differ_seg(d, "TR", a.tr, b.tr);
  differ32(d, "GDT.base", a.gdtr.base, b.gdtr.base);
  differ32(d, "GDT.lim", a.gdtr.limit, b.gdtr.limit);
  differ32(d, "IDT.base", a.idtr.base, b.idtr.base);
  differ32(d, "IDT.lim", a.idtr.limit, b.idtr.limit);
  differ32(d, "CR0", a.cr0, b.cr0);
  differ32(d, "CR2", a.cr2, b.cr2);
  differ32(d, "CR3", a.cr3, b.cr3);
  differ32(d, "CR4", a.cr4, b.cr4);
  static const char* dr[8] = {"DR0", "DR1", "DR2", "DR3", "DR4", "DR5", "DR6", "DR7"};
  for (unsigned k = 0; k < 8; ++k) differ32(d, dr[k], a.dr[k], b.dr[k]);
  differ32(d, "CPL", a.cpl, b.cpl);
  differ32(d, "attn", a.attention & kComparedAttention, b.attention & kComparedAttention);
  if (a.icount != b.icount) {
    char line[96];
    std::snprintf(line, sizeof line, "icount   %" PRIu64 " != %" PRIu64, a.icount, b.icount);
    d.emplace_back(line);
  }
  differ32(d, "FCW", a.fpu.cw, b.fpu.cw);
  differ32(d, "FSW", a.fpu.sw, b.fpu.sw);
  differ32(d, "FTW", a.fpu.tw, b.fpu.tw);
  differ32(d, "MXCSR", a.fpu.mxcsr, b.fpu.mxcsr);
  differ32(d, "FIP", a.fpu.fip, b.fpu.fip);
  differ32(d, "FCS", a.fpu.fcs, b.fpu.fcs);
  differ32(d, "FOP", a.fpu.fop, b.fpu.fop);
  differ32(d, "FDP", a.fpu.fdp, b.fpu.fdp);
  differ32(d, "FDS", a.fpu.fds, b.fpu.fds);
  for (unsigned k = 0; k < 8; ++k) {
    if (a.fpu.tag(k) == ftag::Empty && b.fpu.tag(k) == ftag::Empty) continue;
    uint8_t ra[10], rb[10];
    a.fpu.get_reg80(k, ra);
    b.fpu.get_reg80(k, rb);
    if (std::memcmp(ra, rb, 10) != 0) d.emplace_back("R" + std::to_string(k) + " (x87 physical register) differs");
  }
  differ32(d, "SYSENTER_CS", a.msr.sysenter_cs, b.msr.sysenter_cs);
  differ32(d, "SYSENTER_ESP", a.msr.sysenter_esp, b.msr.sysenter_esp);
  differ32(d, "SYSENTER_EIP", a.msr.sysenter_eip, b.msr.sysenter_eip);
  return d;
}

Lockstep::Lockstep(Side test, Side ref, FILE* report, uint64_t ram_check_insns)
    : test_(test), ref_(ref), report_(report), ram_check_insns_(ram_check_insns),
      next_ram_check_(test.cpu.s.icount + ram_check_insns),
      name_(std::string("lockstep: ") + test.engine.name() + " vs " + ref.engine.name()) {}

uint64_t Lockstep::run(uint64_t budget) {
  uint64_t done = 0;
  while (done < budget && !diverged_) {
    const uint64_t n = run_block(budget - done);
    done += n;
    if (n == 0 || (test_.cpu.s.attention & (attn::STOP | attn::HALT | attn::SHUTDOWN))) break;
  }
  return done;
}

uint64_t Lockstep::run_block(uint64_t budget) {
  if (diverged_) return 0;
  const uint64_t exceptions_before = test_.cpu.stats.exceptions;
  const uint64_t n = test_.engine.run_block(budget);
  const uint64_t m = n ? ref_.engine.run(n) : 0;
  ++blocks_checked_;
  std::vector<std::string> diffs = state_differences(test_.cpu.s, ref_.cpu.s);
  if (m == n && !diffs.empty() && test_.cpu.stats.exceptions != exceptions_before && !realigning_) {
    // The test engine's block ended in an instruction that faulted: it delivered the exception
    // within this step (the instructions before it retired), while the reference stopped after
    // as many retired instructions, before the faulting one. It faults first thing in the next
    // step, so compare there.
    realigning_ = true;
    ++realignments_;
    return n;
  }
  realigning_ = false;
  if (m != n || !diffs.empty()) {
    report_divergence(diffs, n, m);
    return n;
  }
  if (ram_check_insns_ && test_.cpu.s.icount >= next_ram_check_) {
    next_ram_check_ = test_.cpu.s.icount + ram_check_insns_;
    check_ram();
  }
  return n;
}

bool Lockstep::check_ram() {
  PhysMem& a = test_.cpu.mem;
  PhysMem& b = ref_.cpu.mem;
  const uint64_t size = std::min(a.ram_size(), b.ram_size());
  const uint8_t* pa = a.ram();
  const uint8_t* pb = b.ram();
  if (a.ram_size() == b.ram_size() && std::memcmp(pa, pb, size) == 0) return true;
  uint64_t at = 0;
  while (at < size && pa[at] == pb[at]) ++at;
  char line[128];
  std::snprintf(line, sizeof line, "RAM at physical %08" PRIx64 ": %02x != %02x", at,
                at < size ? pa[at] : 0, at < size ? pb[at] : 0);
  report_divergence({line}, 0, 0);
  return false;
}

void Lockstep::report_divergence(const std::vector<std::string>& diffs, uint64_t test_n, uint64_t ref_n) {
  diverged_ = true;
  test_.cpu.stop();
  FILE* out = report_;
  std::fprintf(out, "bt86 lockstep: DIVERGENCE after %" PRIu64 " checked blocks, at instruction %" PRIu64
               " (%s)\n", blocks_checked_, test_.cpu.s.icount, name_.c_str());
  if (test_n != ref_n)
    std::fprintf(out, "  instructions retired in this step: test %" PRIu64 ", reference %" PRIu64 "\n",
                 test_n, ref_n);
  for (const std::string& d : diffs) std::fprintf(out, "  %s\n", d.c_str());
  std::fprintf(out, "-- engine under test (%s):\n", test_.engine.name());
  dump_registers(test_.cpu.s, out);
  std::fprintf(out, "-- reference (%s):\n", ref_.engine.name());
  dump_registers(ref_.cpu.s, out);
  if (const Block* b = test_.engine.last_block()) {
    std::fprintf(out, "-- last block of the engine under test: CS base %08x EIP %08x phys %08x, %s, "
                 "terminal %s:\n", b->key.cs_base, b->key.eip, b->key.phys,
                 (b->key.mode & block_mode::CODE32) ? "32-bit" : "16-bit", terminal_name(b->terminal));
    disassemble_block(test_.cpu.mem, *b, out);
    test_.engine.describe_block(*b, out);
  }
  std::fflush(out);
}

}  // namespace bt86
