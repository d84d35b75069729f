// RDPMC and the P6 performance counters (PerfEvtSel0/1, PerfCtr0/1): instructions retired and
// unhalted clocks, USR/OS, the EN bit, unimplemented events, counter write sign extension, the
// #GP rules; and RSM, which is #UD outside system-management mode.
#include <doctest/doctest.h>
#include <string>
#include "sys_test_util.h"

using namespace bt86;
using F = SysFixture;

namespace {

constexpr uint32_t kUsr = 1u << 16, kOs = 1u << 17, kEn = 1u << 22;

// Guest code: PerfEvtSel0 = sel, then two RDPMC of counter 0 around `between`; EBX = first, EAX = second.
std::string measure(uint32_t sel, const std::string& between) {
  return "mov ecx, 0x186\nmov eax, " + std::to_string(sel) + "\nxor edx, edx\nwrmsr\n"
         "xor ecx, ecx\nrdpmc\nmov ebx, eax\n" + between + "\nxor ecx, ecx\nrdpmc\nhlt";
}

}  // namespace

TEST_CASE("rdpmc: event 0xC0 counts retired instructions exactly") {
  F f;
  f.load_asm(measure(0xC0 | kUsr | kOs | kEn, "times 10 nop"));
  f.run();
  REQUIRE(f.cpu.halted());
  // Between the two reads: RDPMC, MOV EBX, 10 NOPs, XOR ECX.
  CHECK(f.cpu.s.r[EAX] - f.cpu.s.r[EBX] == 13);
}

TEST_CASE("rdpmc: USR-only does not count at CPL 0; EN = 0 counts nothing") {
  F f;
  f.load_asm(measure(0xC0 | kUsr | kEn, "times 10 nop"));
  f.run();
  CHECK(f.cpu.s.r[EAX] == f.cpu.s.r[EBX]);
  F g;
  g.load_asm(measure(0xC0 | kUsr | kOs, "times 10 nop"));
  g.run();
  CHECK(g.cpu.s.r[EAX] == g.cpu.s.r[EBX]);
}

TEST_CASE("rdpmc: event 0x79 counts clocks") {
  F f;
  f.load_asm(measure(0x79 | kUsr | kOs | kEn, "mov esi, 100000\nspin: dec esi\njnz spin"));
  f.run();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.r[EAX] - f.cpu.s.r[EBX] > 1000);
}

TEST_CASE("rdpmc: an unimplemented event leaves the counter; counter writes sign-extend bit 31") {
  F f;
  f.load_asm("mov ecx, 0xC1\nmov eax, 0x1234\nxor edx, edx\nwrmsr\n"
             "mov ecx, 0x186\nmov eax, " + std::to_string(0x2E | kUsr | kOs | kEn) + "\nwrmsr\n"
             "times 5 nop\nxor ecx, ecx\nrdpmc\nmov ebx, eax\n"
             "mov ecx, 0xC2\nmov eax, 0x80000000\nwrmsr\nrdmsr\nhlt");
  f.run();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.r[EBX] == 0x1234);
  CHECK(f.cpu.s.r[EAX] == 0x80000000);
  CHECK(f.cpu.s.r[EDX] == 0xFF);  // 40-bit counter
}

TEST_CASE("rdpmc: #GP(0) for ECX > 1 and at CPL 3 without CR4.PCE") {
  F f;
  f.load_asm("mov ecx, 2\nrdpmc\nhlt");
  f.run();
  CHECK(f.faulted_with(vec::GP, 0));

  F g;
  g.with_tss();
  g.put_asm(F::kRing3Code, "xor ecx, ecx\nrdpmc\nmov ebx, 1\nhlt");
  g.enter_ring3(F::kRing3Code);
  g.run();
  CHECK(g.faulted_with(vec::GP, 0));
  CHECK(g.cpu.s.eip == F::kRing3Code + 2);

  F h;  // CR4.PCE: allowed at ring 3 (the HLT after it faults)
  h.with_tss();
  h.cpu.s.cr4 |= cr4::PCE;
  h.put_asm(F::kRing3Code, "xor ecx, ecx\nrdpmc\nmov ebx, 1\nhlt");
  h.enter_ring3(F::kRing3Code);
  h.run();
  CHECK(h.faulted_with(vec::GP, 0));
  CHECK(h.cpu.s.r[EBX] == 1);
}

TEST_CASE("rdpmc: a USR-only counter counts ring 3 instructions only") {
  F f;
  f.with_tss();
  f.cpu.s.cr4 |= cr4::PCE;
  f.load_asm("mov ecx, 0x186\nmov eax, " + std::to_string(0xC0 | kUsr | kEn) + "\nxor edx, edx\nwrmsr\n"
             "times 20 nop\nhlt");
  f.run();
  REQUIRE(f.cpu.halted());
  f.put_asm(F::kRing3Code, "times 7 nop\nxor ecx, ecx\nrdpmc\nhlt");
  f.enter_ring3(F::kRing3Code);
  f.run();
  CHECK(f.faulted_with(vec::GP, 0));  // the ring-3 HLT
  CHECK(f.cpu.s.r[EAX] == 8);         // 7 NOPs and XOR; nothing from ring 0
}

TEST_CASE("rsm: #UD outside system-management mode") {
  F f;
  f.load_asm("rsm\nhlt");
  f.run();
  CHECK(f.faulted(vec::UD));
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr);
}
