// PUSH/POP forms (register, immediate, memory, ESP special cases, 16-bit operands), PUSHA/POPA,
// ENTER with nesting levels, LEAVE — in 32-bit and real mode.
#include "test_ops_util.h"

using namespace bt86;

namespace {
constexpr uint32_t kTop = CpuFixture::kStackTop;
}

TEST_CASE("PUSH/POP registers and immediates") {
  CpuFixture f;
  run_asm(f, "mov eax, 0x11223344\npush eax\npush 0x12345678\npush byte -1\npop ebx\npop ecx\npop edx");
  CHECK(f.cpu.s.r[EBX] == 0xFFFFFFFFu);
  CHECK(f.cpu.s.r[ECX] == 0x12345678u);
  CHECK(f.cpu.s.r[EDX] == 0x11223344u);
  CHECK(f.cpu.s.r[ESP] == kTop);
  CHECK(f.peek<uint32_t>(kTop - 12) == 0xFFFFFFFFu);

  run_asm(f, "mov eax, 0xaaaa1234\npush ax\npush word 0x5678\npop cx\npop dx");  // 16-bit slots
  CHECK(f.peek<uint16_t>(kTop - 2) == 0x1234);
  CHECK(f.peek<uint16_t>(kTop - 4) == 0x5678);
  CHECK((f.cpu.s.r[ECX] & 0xFFFF) == 0x5678);
  CHECK(f.cpu.s.r[ESP] == kTop);
}

TEST_CASE("PUSH ESP pushes the old value; POP ESP loads the popped value") {
  CpuFixture f;
  run_asm(f, "push esp\npop eax");
  CHECK(f.cpu.s.r[EAX] == kTop);
  run_asm(f, "push 0x6000\npop esp");
  CHECK(f.cpu.s.r[ESP] == 0x6000);
}

TEST_CASE("PUSH/POP memory; POP to an ESP-based address uses ESP after the increment") {
  CpuFixture f;
  f.poke<uint32_t>(CpuFixture::kDataAddr, 0xfeedface);
  run_asm(f, "push dword [0x8000]\npop dword [0x8004]");
  CHECK(f.peek<uint32_t>(CpuFixture::kDataAddr + 4) == 0xfeedfaceu);

  run_asm(f, "push 1\npush 2\npop dword [esp]\npop eax");
  CHECK(f.cpu.s.r[EAX] == 2);
  CHECK(f.cpu.s.r[ESP] == kTop);
}

TEST_CASE("PUSHAD/POPAD: order, original ESP, skipped ESP slot") {
  CpuFixture f;
  run_asm(f,
          "mov eax, 1\nmov ecx, 2\nmov edx, 3\nmov ebx, 4\nmov ebp, 6\nmov esi, 7\nmov edi, 8\n"
          "pushad\n"
          "mov dword [esp+12], 0x99\n"  // the saved ESP slot is ignored by POPAD
          "xor eax, eax\nxor ecx, ecx\nxor edx, edx\nxor ebx, ebx\nxor ebp, ebp\nxor esi, esi\nxor edi, edi\n"
          "popad");
  for (uint32_t r = 0; r < 8; ++r) {
    if (r != ESP) CHECK(f.cpu.s.r[r] == r + 1);
    CHECK(f.peek<uint32_t>(kTop - 4 * (r + 1)) == (r == ESP ? 0x99 : r + 1));
  }
  CHECK(f.cpu.s.r[ESP] == kTop);
}

TEST_CASE("PUSHA/POPA in real mode (16-bit slots, upper halves kept)") {
  CpuFixture f(false);
  run_asm(f, "mov eax, 0x12340001\nmov di, 8\npusha\nmov ax, 0\nmov di, 0\npopa");
  CHECK(f.cpu.s.r[EAX] == 0x12340001u);
  CHECK((f.cpu.s.r[EDI] & 0xFFFF) == 8);
  CHECK(f.cpu.s.r[ESP] == kTop);
  CHECK(f.peek<uint16_t>(kTop - 2) == 1);
  CHECK(f.peek<uint16_t>(kTop - 10) == uint16_t(kTop));  // original SP
}

TEST_CASE("ENTER without and with nesting, then LEAVE") {
  CpuFixture f;
  run_asm(f, "mov ebp, 0x1234\nenter 16, 0");
  CHECK(f.peek<uint32_t>(kTop - 4) == 0x1234);
  CHECK(f.cpu.s.r[EBP] == kTop - 4);
  CHECK(f.cpu.s.r[ESP] == kTop - 4 - 16);

  // Enclosing frame at 0x6000 whose display holds 0xAAAA, 0xBBBB.
  f.poke<uint32_t>(0x5FFC, 0xAAAA);
  f.poke<uint32_t>(0x5FF8, 0xBBBB);
  run_asm(f, "mov esp, 0x7000\nmov ebp, 0x6000\nenter 8, 3");
  CHECK(f.peek<uint32_t>(kTop - 4) == 0x6000);
  CHECK(f.peek<uint32_t>(kTop - 8) == 0xAAAA);
  CHECK(f.peek<uint32_t>(kTop - 12) == 0xBBBB);
  CHECK(f.peek<uint32_t>(kTop - 16) == kTop - 4);  // the new frame pointer
  CHECK(f.cpu.s.r[EBP] == kTop - 4);
  CHECK(f.cpu.s.r[ESP] == kTop - 16 - 8);

  run_asm(f, "leave");
  CHECK(f.cpu.s.r[EBP] == 0x6000);
  CHECK(f.cpu.s.r[ESP] == kTop);

  run_asm(f, "mov esp, 0x7000\nmov ebp, 0x6000\nenter 0, 1");  // level 1: push ebp, push frame
  CHECK(f.peek<uint32_t>(kTop - 8) == kTop - 4);
  CHECK(f.cpu.s.r[ESP] == kTop - 8);
}

TEST_CASE("ENTER/LEAVE in real mode use BP/SP") {
  CpuFixture f(false);
  run_asm(f, "mov ebp, 0xabcd0100\nenter 4, 1\nmov ax, bp\nmov bx, sp\nleave");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == kTop - 2);
  CHECK((f.cpu.s.r[EBX] & 0xFFFF) == kTop - 4 - 4);
  CHECK(f.peek<uint16_t>(kTop - 2) == 0x0100);
  CHECK(f.peek<uint16_t>(kTop - 4) == kTop - 2);
  CHECK(f.cpu.s.r[EBP] == 0xabcd0100u);
  CHECK(f.cpu.s.r[ESP] == kTop);
}

TEST_CASE("A faulting PUSH leaves ESP unchanged") {
  CpuFixture f;
  Segment ss = f.cpu.s.seg[SS];
  ss.attr = (ss.attr & ~0xF00u) | 0x100u;  // read-only data: pushes fault with #SS
  f.cpu.set_seg(SS, ss);
  f.load_asm("push eax\nhlt");
  f.run();
  CHECK(f.faulted(vec::SS));
  CHECK(f.cpu.s.r[ESP] == kTop);
}
