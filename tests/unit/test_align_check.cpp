// Alignment checking (#AC(0)): only with CR0.AM = 1, EFLAGS.AC = 1 and CPL 3; words must be
// 2-aligned, dwords 4-aligned, CMPXCHG8B and x87 m64/m80 operands 8-aligned, x87 environment
// images by their operand size; stack accesses are checked too.
#include <doctest/doctest.h>
#include <string>
#include "sys_test_util.h"

using namespace bt86;
using F = SysFixture;

namespace {

constexpr uint32_t kData = CpuFixture::kDataAddr;

// Runs `code` at ring 3 with the given alignment-check controls; returns the fixture.
struct Ring3 : F {
  Ring3(const std::string& code, bool am = true, bool ac = true) {
    with_tss();
    if (am) cpu.s.cr0 |= cr0::AM;
    if (ac) cpu.s.eflags |= fl::AC;
    put_asm(kRing3Code, code);
    enter_ring3(kRing3Code);
    run();
  }
};

std::string at(uint32_t off) { return std::to_string(kData + off); }

}  // namespace

TEST_CASE("align: misaligned word and dword accesses at ring 3 are #AC(0); aligned ones are not") {
  CHECK(Ring3("mov ax, [" + at(1) + "]\nhlt").faulted_with(vec::AC, 0));
  CHECK(Ring3("mov [" + at(2) + "], eax\nhlt").faulted_with(vec::AC, 0));
  CHECK(Ring3("add [" + at(3) + "], ax\nhlt").faulted_with(vec::AC, 0));  // read-modify-write
  Ring3 ok("mov ax, [" + at(2) + "]\nmov eax, [" + at(4) + "]\nmov al, [" + at(3) + "]\nmov ebx, 7\nhlt");
  CHECK(ok.faulted(vec::GP));  // reached the HLT (privileged at ring 3)
  CHECK(ok.cpu.s.r[EBX] == 7);
}

TEST_CASE("align: the fault leaves state at the instruction and memory untouched") {
  Ring3 f("mov dword [" + at(0x20) + "], 0\nmov dword [" + at(0x21) + "], 0x12345678\nhlt");
  REQUIRE(f.faulted_with(vec::AC, 0));
  CHECK(f.cpu.s.eip == F::kRing3Code + 10);
  CHECK(f.peek<uint32_t>(kData + 0x21) == 0);
}

TEST_CASE("align: no check at CPL 0, with CR0.AM = 0 or with EFLAGS.AC = 0") {
  CHECK(Ring3("mov eax, [" + at(1) + "]\nhlt", false, true).faulted(vec::GP));  // HLT at ring 3
  CHECK(Ring3("mov eax, [" + at(1) + "]\nhlt", true, false).faulted(vec::GP));
  F f;
  f.cpu.s.cr0 |= cr0::AM;
  f.cpu.s.eflags |= fl::AC;
  f.cpu.flush_tlb();
  f.load_asm("mov eax, [" + at(1) + "]\nhlt");
  f.run();
  CHECK(f.cpu.halted());
}

TEST_CASE("align: POPF setting AC at ring 3 turns checking on; stack accesses are checked") {
  CHECK(Ring3("pushfd\nor dword [esp], 0x40000\npopfd\nmov eax, [" + at(1) + "]\nhlt", true, false)
            .faulted_with(vec::AC, 0));
  Ring3 f("sub esp, 2\npush eax\nhlt");
  CHECK(f.faulted_with(vec::AC, 0));
  CHECK(f.cpu.s.r[ESP] == F::kRing3StackTop - 2);
}

TEST_CASE("align: CMPXCHG8B and x87 m64/m80 need 8, FSTENV 4 (32-bit image)") {
  CHECK(Ring3("cmpxchg8b [" + at(4) + "]\nhlt").faulted_with(vec::AC, 0));
  CHECK(Ring3("fld qword [" + at(4) + "]\nhlt").faulted_with(vec::AC, 0));
  CHECK(Ring3("fld tword [" + at(4) + "]\nhlt").faulted_with(vec::AC, 0));
  CHECK(Ring3("fld dword [" + at(2) + "]\nhlt").faulted_with(vec::AC, 0));
  CHECK(Ring3("fnstenv [" + at(2) + "]\nhlt").faulted_with(vec::AC, 0));
  Ring3 ok("fninit\ncmpxchg8b [" + at(8) + "]\nfld qword [" + at(16) + "]\nfld tword [" + at(24) + "]\n"
           "fnstenv [" + at(0x40) + "]\nmov ebx, 9\nhlt");
  CHECK(ok.faulted(vec::GP));  // reached the HLT
  CHECK(ok.cpu.s.r[EBX] == 9);
}
