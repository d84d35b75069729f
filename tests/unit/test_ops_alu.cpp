// ADD OR ADC SBB AND SUB XOR CMP TEST INC DEC NEG NOT: results, all six flags, operand sizes,
// register/memory/immediate forms and 16-bit addressing.
#include "test_ops_util.h"

using namespace bt86;

TEST_CASE("ADD: signed overflow, carry, aux carry and parity") {
  CpuFixture f;
  run_asm(f, "mov eax, 0x7fffffff\nadd eax, 1");
  CHECK(f.cpu.s.r[EAX] == 0x80000000u);
  CHECK(status_flags(f) == (fl::SF | fl::OF | fl::AF | fl::PF));

  run_asm(f, "mov al, 0xff\nadd al, 1");
  CHECK((f.cpu.s.r[EAX] & 0xFF) == 0);
  CHECK(status_flags(f) == (fl::CF | fl::ZF | fl::AF | fl::PF));

  run_asm(f, "mov ecx, 0x12\nmov edx, 0x34\nadd ecx, edx");
  CHECK(f.cpu.s.r[ECX] == 0x46);
  CHECK(status_flags(f) == 0);  // 0x46 has three bits set: odd parity
}

TEST_CASE("ADC/SBB use the carry in") {
  CpuFixture f;
  run_asm(f, "stc\nmov eax, 5\nadc eax, 3");
  CHECK(f.cpu.s.r[EAX] == 9);
  CHECK(status_flags(f) == fl::PF);

  run_asm(f, "clc\nmov eax, 5\nadc eax, 3");
  CHECK(f.cpu.s.r[EAX] == 8);

  run_asm(f, "stc\nmov al, 0\nsbb al, 0");
  CHECK((f.cpu.s.r[EAX] & 0xFF) == 0xFF);
  CHECK(status_flags(f) == (fl::CF | fl::SF | fl::AF | fl::PF));

  run_asm(f, "stc\nmov ax, 0xffff\nadc ax, 0");  // 0xffff + 0 + 1 wraps
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0);
  CHECK(status_flags(f) == (fl::CF | fl::ZF | fl::AF | fl::PF));
}

TEST_CASE("SUB/CMP: borrow and compare without writing") {
  CpuFixture f;
  run_asm(f, "mov eax, 1\nsub eax, 2");
  CHECK(f.cpu.s.r[EAX] == 0xFFFFFFFFu);
  CHECK(status_flags(f) == (fl::CF | fl::SF | fl::AF | fl::PF));

  run_asm(f, "mov eax, 0x80000000\ncmp eax, 1");
  CHECK(f.cpu.s.r[EAX] == 0x80000000u);
  CHECK(status_flags(f) == (fl::OF | fl::AF | fl::PF));  // 0x7fffffff: signed overflow

  run_asm(f, "mov ebx, 7\ncmp ebx, 7");
  CHECK(status_flags(f) == (fl::ZF | fl::PF));
}

TEST_CASE("AND/OR/XOR/TEST clear CF and OF") {
  CpuFixture f;
  run_asm(f, "stc\nmov eax, 0xf0f0\nand eax, 0x0ff0");
  CHECK(f.cpu.s.r[EAX] == 0x00f0);
  CHECK((status_flags(f) & (fl::CF | fl::OF | fl::ZF | fl::SF)) == 0);
  CHECK(f.cpu.flag(fl::PF));

  run_asm(f, "mov eax, 0x80000000\nor eax, 1");
  CHECK(f.cpu.s.r[EAX] == 0x80000001u);
  CHECK(f.cpu.flag(fl::SF));

  run_asm(f, "mov eax, 0x1234\nxor eax, eax");
  CHECK(f.cpu.s.r[EAX] == 0);
  CHECK((status_flags(f) & ~fl::AF) == (fl::ZF | fl::PF));

  run_asm(f, "mov eax, 0x1234\ntest eax, 0x1000");
  CHECK(f.cpu.s.r[EAX] == 0x1234);
  CHECK(!f.cpu.flag(fl::ZF));
  run_asm(f, "mov eax, 0x1234\ntest al, 0x01");
  CHECK(f.cpu.flag(fl::ZF));
}

TEST_CASE("ALU operand sizes: 8-bit high registers and 16-bit writes keep the rest") {
  CpuFixture f;
  run_asm(f, "mov eax, 0x12345600\nadd ah, 0x11");
  CHECK(f.cpu.s.r[EAX] == 0x12346700u);
  run_asm(f, "mov ebx, 0xabcdffff\nadd bx, 1");
  CHECK(f.cpu.s.r[EBX] == 0xabcd0000u);
  CHECK(f.cpu.flag(fl::CF));
  CHECK(f.cpu.flag(fl::ZF));
  run_asm(f, "mov edx, 0x11110000\nsub dx, 1");  // 16-bit via 0x66 prefix in 32-bit code
  CHECK(f.cpu.s.r[EDX] == 0x1111FFFFu);
  run_asm(f, "mov eax, 0x100\nadd eax, byte -1");  // sign-extended imm8
  CHECK(f.cpu.s.r[EAX] == 0xFF);
}

TEST_CASE("ALU with memory operands (read-modify-write, source, LOCK)") {
  CpuFixture f;
  f.poke<uint32_t>(CpuFixture::kDataAddr, 40);
  run_asm(f, "mov ebx, 0x8000\nadd dword [ebx], 2\nmov ecx, 10\nadd ecx, [ebx]\nlock sub dword [0x8000], 1");
  CHECK(f.peek<uint32_t>(CpuFixture::kDataAddr) == 41);
  CHECK(f.cpu.s.r[ECX] == 52);

  f.poke<uint8_t>(CpuFixture::kDataAddr + 4, 0x80);
  run_asm(f, "cmp byte [0x8004], 0x80\nsetz al\nxor byte [0x8004], 0xff");
  CHECK((f.cpu.s.r[EAX] & 0xFF) == 1);
  CHECK(f.peek<uint8_t>(CpuFixture::kDataAddr + 4) == 0x7F);
}

TEST_CASE("ALU with 16-bit addressing [bx+si+disp] in real mode") {
  CpuFixture f(false);
  f.poke<uint16_t>(0x8012, 0x1000);
  run_asm(f, "mov bx, 0x8000\nmov si, 0x10\nmov ax, 0x234\nadd [bx+si+2], ax\nmov dx, [bx+si+2]");
  CHECK(f.peek<uint16_t>(0x8012) == 0x1234);
  CHECK((f.cpu.s.r[EDX] & 0xFFFF) == 0x1234);
  // The 16-bit effective address wraps at 64 KiB.
  f.poke<uint16_t>(0x0002, 0x55AA);
  run_asm(f, "mov bx, 0xffff\nmov si, 0x3\nmov ax, [bx+si]");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x55AA);
}

TEST_CASE("INC/DEC keep CF; NEG sets CF for nonzero; NOT changes no flags") {
  CpuFixture f;
  run_asm(f, "stc\nmov eax, 0x7fffffff\ninc eax");
  CHECK(f.cpu.s.r[EAX] == 0x80000000u);
  CHECK(status_flags(f) == (fl::CF | fl::OF | fl::SF | fl::AF | fl::PF));

  run_asm(f, "clc\nmov ecx, 1\ndec ecx");
  CHECK(f.cpu.s.r[ECX] == 0);
  CHECK(status_flags(f) == (fl::ZF | fl::PF));

  run_asm(f, "mov eax, 5\nneg eax");
  CHECK(f.cpu.s.r[EAX] == uint32_t(-5));
  CHECK(f.cpu.flag(fl::CF));
  CHECK(f.cpu.flag(fl::SF));
  run_asm(f, "mov eax, 0\nneg eax");
  CHECK(!f.cpu.flag(fl::CF));
  CHECK(f.cpu.flag(fl::ZF));
  run_asm(f, "mov al, 0x80\nneg al");
  CHECK((f.cpu.s.r[EAX] & 0xFF) == 0x80);
  CHECK(f.cpu.flag(fl::OF));

  f.poke<uint16_t>(CpuFixture::kDataAddr, 0x00FF);
  run_asm(f, "stc\nnot word [0x8000]\ninc byte [0x8000]");
  CHECK(f.peek<uint16_t>(CpuFixture::kDataAddr) == 0xFF01);
  CHECK(f.cpu.flag(fl::CF));
}

TEST_CASE("ALU memory destination: a write fault leaves flags and memory unchanged") {
  CpuFixture f;
  // Make DS read-only (data, read-only type): the write of ADD faults with #GP(0).
  Segment ro = f.cpu.s.seg[DS];
  ro.attr = (ro.attr & ~0xF00u) | 0x100u;  // type 1: read-only, accessed
  f.cpu.set_seg(DS, ro);
  f.poke<uint32_t>(CpuFixture::kDataAddr, 0xFFFFFFFF);
  f.load_asm("clc\nadd dword [0x8000], 1\nhlt");
  f.run();
  CHECK(f.faulted(vec::GP));
  CHECK(f.peek<uint32_t>(CpuFixture::kDataAddr) == 0xFFFFFFFFu);
  CHECK(!f.cpu.flag(fl::CF));
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 1);  // at the ADD
}
