// CPUID (vendor, signature, the exact feature set, leaf 2), RDMSR/WRMSR round trips and #GP
// cases (unknown MSRs, reserved bits, read-only MSRs), IA32_APIC_BASE, TSC writes,
// SYSENTER/SYSEXIT.
#include <doctest/doctest.h>
#include <cstring>
#include "sys_test_util.h"

using namespace bt86;
using F = SysFixture;

namespace {
struct Regs {
  uint32_t eax, ebx, ecx, edx;
};
Regs run_cpuid(uint32_t leaf) {
  F f;
  f.cpu.s.r[EAX] = leaf;
  f.load_asm("cpuid\nhlt");
  f.run();
  return {f.cpu.s.r[EAX], f.cpu.s.r[EBX], f.cpu.s.r[ECX], f.cpu.s.r[EDX]};
}
// ECX = index, EDX:EAX = v: the operands of WRMSR.
void set_msr_operands(F& f, uint32_t index, uint64_t v) {
  f.cpu.s.r[ECX] = index;
  f.cpu.s.r[EAX] = uint32_t(v);
  f.cpu.s.r[EDX] = uint32_t(v >> 32);
}
}  // namespace

TEST_CASE("sys/cpuid: GenuineIntel, family 6, exactly the implemented features") {
  Regs r0 = run_cpuid(0);
  CHECK(r0.eax == 2);
  char vendor[13] = {};
  std::memcpy(vendor, &r0.ebx, 4);
  std::memcpy(vendor + 4, &r0.edx, 4);
  std::memcpy(vendor + 8, &r0.ecx, 4);
  CHECK(std::string(vendor) == "GenuineIntel");

  Regs r1 = run_cpuid(1);
  CHECK(((r1.eax >> 8) & 0xF) == 6);
  CHECK(r1.ecx == 0);
  auto bit = [&](unsigned n) { return (r1.edx >> n) & 1; };
  for (unsigned present : {0u, 2u, 3u, 4u, 5u, 8u, 11u, 12u, 13u, 15u, 16u, 24u}) {
    CAPTURE(present);
    CHECK(bit(present) == 1);  // FPU DE PSE TSC MSR CX8 SEP MTRR PGE CMOV PAT FXSR
  }
  for (unsigned absent : {1u, 6u, 7u, 9u, 14u, 17u, 23u, 25u, 26u}) {
    CAPTURE(absent);
    CHECK(bit(absent) == 0);  // VME PAE MCE APIC MCA PSE36 MMX SSE SSE2
  }

  Regs r2 = run_cpuid(2);
  CHECK((r2.eax & 0xFF) == 1);  // one CPUID(2) round
  Regs beyond = run_cpuid(0x80000000);
  CHECK((beyond.eax & 0xFFFF0000) != 0x80000000);  // no extended leaves
}

TEST_CASE("sys/msr: round trips of SYSENTER, PAT, MTRR and MISC_ENABLE MSRs") {
  struct Case {
    uint32_t index;
    uint64_t value;
  } cases[] = {
      {0x174, 0x0008},                {0x175, 0xC0001000},         {0x176, 0xC0100000},
      {0x277, 0x0007010600070106ull}, {0x2FF, 0xC06},              {0x200, 0x0000000FF0000006ull},
      {0x201, 0x0000000FF0000800ull}, {0x250, 0x0606060606060606}, {0x26F, 0x0505050505050505},
      {0x1A0, 0x1},
  };
  for (const Case& c : cases) {
    CAPTURE(c.index);
    F f;
    set_msr_operands(f, c.index, c.value);
    f.load_asm("wrmsr\nxor eax, eax\nxor edx, edx\nrdmsr\nhlt");
    f.run();
    REQUIRE(f.cpu.halted());
    CHECK((uint64_t(f.cpu.s.r[EDX]) << 32 | f.cpu.s.r[EAX]) == c.value);
  }
}

TEST_CASE("sys/msr: #GP for unknown MSRs, reserved bits and read-only MSRs") {
  struct Case {
    uint32_t index;
    uint64_t value;
  } writes[] = {
      {0x12345678, 0},                  // unknown
      {0x277, 0x0000000000000002ull},   // PAT type 2 is reserved
      {0x2FF, 0x1000},                  // MTRRdefType reserved bit
      {0x200, 0x0000001000000006ull},   // base beyond 36 bits
      {0x200, 0x3},                     // MTRR type 3 is reserved
      {0xFE, 0},                        // MTRRcap is read-only
  };
  for (const Case& c : writes) {
    CAPTURE(c.index);
    F f;
    set_msr_operands(f, c.index, c.value);
    f.load_asm("wrmsr");
    f.run();
    CHECK(f.faulted_with(vec::GP, 0));
  }
  F g;
  g.cpu.s.r[ECX] = 0xC0000080;  // EFER does not exist on this CPU
  g.load_asm("rdmsr");
  g.run();
  CHECK(g.faulted_with(vec::GP, 0));

  F h;
  h.cpu.s.r[ECX] = 0xFE;
  h.load_asm("rdmsr\nhlt");
  h.run();
  CHECK(h.cpu.s.r[EAX] == 0x508);  // 8 variable ranges, fixed ranges, WC
}

TEST_CASE("sys/msr: IA32_APIC_BASE is a register (BSP at reset, writable enable and base, #GP on reserved bits)") {
  auto rdmsr_after = [](const std::string& code, F& f) {
    f.load_asm(code + "\nmov ecx, 0x1B\nrdmsr\nhlt");
    f.run();
    REQUIRE(f.cpu.halted());
    return uint64_t(f.cpu.s.r[EDX]) << 32 | f.cpu.s.r[EAX];
  };
  F reset;
  CHECK(rdmsr_after("", reset) == 0xFEE00100);  // default base, BSP, APIC disabled

  struct Case {
    uint64_t written, read;
  } writes[] = {
      {0xFEE00900, 0xFEE00900},              // the enable bit, as bare-metal kernels write it
      {0xFEE00800, 0xFEE00900},              // BSP is read-only: it stays set
      {0x12345000, 0x12345100},              // another base, disabled
      {0x0000000FFFFFF800ull, 0x0000000FFFFFF900ull},  // the whole 36-bit base
  };
  for (const Case& c : writes) {
    CAPTURE(c.written);
    F f;
    set_msr_operands(f, 0x1B, c.written);
    CHECK(rdmsr_after("wrmsr", f) == c.read);
  }

  for (uint64_t bad : {0xFEE00901ull, 0xFEE00B00ull, 0xFEE00D00ull, 0x00000010FEE00900ull}) {
    CAPTURE(bad);  // bits 0, 9, 10 (x2APIC on later CPUs) and 36 are reserved
    F f;
    set_msr_operands(f, 0x1B, bad);
    f.load_asm("wrmsr");
    f.run();
    CHECK(f.faulted_with(vec::GP, 0));
    CHECK(f.cpu.s.msr.apic_base == 0xFEE00100);
  }

  // Enabling it makes no APIC appear: CPUID still reports none.
  F g;
  set_msr_operands(g, 0x1B, 0xFEE00900);
  g.load_asm("wrmsr\nmov eax, 1\ncpuid\nhlt");
  g.run();
  REQUIRE(g.cpu.halted());
  CHECK((g.cpu.s.r[EDX] >> 9 & 1) == 0);
}

TEST_CASE("sys/msr: writing the TSC moves RDTSC") {
  F f;
  set_msr_operands(f, 0x10, 0x0000123400000000ull);
  f.load_asm("wrmsr\nrdtsc\nhlt");
  f.run();
  CHECK(f.cpu.s.r[EDX] == 0x1234);
}

TEST_CASE("sys/sysenter: SYSENTER to ring 0 and SYSEXIT back to ring 3") {
  F f;
  f.cpu.s.msr.sysenter_cs = F::kCode0;
  f.cpu.s.msr.sysenter_esp = F::kRing0StackTop - 0x100;
  f.cpu.s.msr.sysenter_eip = F::kHandlerAddr;
  f.put_asm(F::kHandlerAddr, "hlt\nsysexit");
  f.put_asm(F::kRing3Code, "sysenter\nhlt");
  f.enter_ring3(F::kRing3Code);
  f.cpu.s.eflags |= fl::IF;
  f.run();
  CHECK(f.cpu.s.cpl == 0);
  CHECK(f.cpu.s.seg[CS].sel == F::kCode0);
  CHECK(f.cpu.s.seg[SS].sel == F::kData0);
  CHECK(f.cpu.s.r[ESP] == F::kRing0StackTop - 0x100);
  CHECK(f.cpu.s.eip == F::kHandlerAddr + 1);
  CHECK_FALSE(f.cpu.flag(fl::IF));

  f.cpu.s.r[ECX] = F::kRing3StackTop - 0x10;
  f.cpu.s.r[EDX] = F::kRing3Code + 2;
  f.run();  // SYSEXIT, then HLT faults at ring 3
  CHECK(f.faulted_with(vec::GP, 0));
  CHECK(f.cpu.s.cpl == 3);
  CHECK(f.cpu.s.seg[CS].sel == ((F::kCode0 + 16) | 3));
  CHECK(f.cpu.s.seg[SS].sel == ((F::kCode0 + 24) | 3));
  CHECK(f.cpu.s.seg[CS].dpl() == 3);
  CHECK(f.cpu.s.r[ESP] == F::kRing3StackTop - 0x10);
  CHECK(f.cpu.s.eip == F::kRing3Code + 2);

  F g;  // SYSENTER_CS = 0: #GP(0)
  g.load_asm("sysenter");
  g.run();
  CHECK(g.faulted_with(vec::GP, 0));
}
