// MUL, IMUL (1/2/3 operands), DIV, IDIV: products, CF/OF, quotient/remainder, #DE on a zero
// divisor and on quotient overflow (with EIP and registers left at the faulting instruction).
#include "test_ops_util.h"

using namespace bt86;

TEST_CASE("MUL: double-width products and CF/OF") {
  CpuFixture f;
  run_asm(f, "mov eax, 0x80000000\nmov ecx, 4\nmul ecx");
  CHECK(f.cpu.s.r[EAX] == 0);
  CHECK(f.cpu.s.r[EDX] == 2);
  CHECK(f.cpu.flag(fl::CF));
  CHECK(f.cpu.flag(fl::OF));

  run_asm(f, "mov eax, 0x11110002\nmov cl, 3\nmul cl");
  CHECK(f.cpu.s.r[EAX] == 0x11110006u);
  CHECK(!f.cpu.flag(fl::CF));
  CHECK(!f.cpu.flag(fl::OF));

  run_asm(f, "mov eax, 0xaaaaffff\nmov edx, 0x55550000\nmov bx, 0xffff\nmul bx");
  CHECK(f.cpu.s.r[EAX] == 0xaaaa0001u);
  CHECK(f.cpu.s.r[EDX] == 0x5555fffeu);
  CHECK(f.cpu.flag(fl::CF));

  f.poke<uint8_t>(CpuFixture::kDataAddr, 0x10);
  run_asm(f, "mov al, 0x10\nmul byte [0x8000]");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x100);
  CHECK(f.cpu.flag(fl::CF));
}

TEST_CASE("IMUL one operand: signed products") {
  CpuFixture f;
  run_asm(f, "mov al, -2\nmov bl, 3\nimul bl");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0xFFFA);
  CHECK(!f.cpu.flag(fl::CF));
  CHECK(!f.cpu.flag(fl::OF));

  run_asm(f, "mov al, 0x40\nmov bl, 4\nimul bl");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x0100);
  CHECK(f.cpu.flag(fl::CF));
  CHECK(f.cpu.flag(fl::OF));

  run_asm(f, "mov eax, -5\nmov ecx, 1000000000\nimul ecx");
  CHECK(((uint64_t(f.cpu.s.r[EDX]) << 32) | f.cpu.s.r[EAX]) == uint64_t(-5000000000ll));
  CHECK(f.cpu.flag(fl::OF));
}

TEST_CASE("IMUL two and three operands: truncated product, overflow flags") {
  CpuFixture f;
  run_asm(f, "mov eax, 0x10000\nmov ecx, 0x10000\nimul eax, ecx");
  CHECK(f.cpu.s.r[EAX] == 0);
  CHECK(f.cpu.flag(fl::CF));
  CHECK(f.cpu.flag(fl::OF));

  run_asm(f, "mov eax, -3\nmov ecx, 7\nimul eax, ecx");
  CHECK(f.cpu.s.r[EAX] == uint32_t(-21));
  CHECK(!f.cpu.flag(fl::CF));
  CHECK(!f.cpu.flag(fl::OF));

  f.poke<uint16_t>(CpuFixture::kDataAddr, 300);
  run_asm(f, "mov ebx, 0xffff0000\nimul bx, [0x8000], -2\nmov ecx, 7\nimul edx, ecx, 100");
  CHECK(f.cpu.s.r[EBX] == 0xffff0000u + uint16_t(-600));
  CHECK(f.cpu.s.r[EDX] == 700);
  CHECK(!f.cpu.flag(fl::OF));

  run_asm(f, "mov ecx, 0x40000000\nimul edx, ecx, 4");
  CHECK(f.cpu.s.r[EDX] == 0);
  CHECK(f.cpu.flag(fl::OF));
}

TEST_CASE("DIV and IDIV: quotient and remainder") {
  CpuFixture f;
  run_asm(f, "mov edx, 1\nmov eax, 5\nmov ecx, 2\ndiv ecx");
  CHECK(f.cpu.s.r[EAX] == 0x80000002u);
  CHECK(f.cpu.s.r[EDX] == 1);

  run_asm(f, "mov eax, 0x0105\nmov bl, 0x10\ndiv bl");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x0510);

  run_asm(f, "mov eax, -7\ncdq\nmov ecx, 2\nidiv ecx");
  CHECK(f.cpu.s.r[EAX] == uint32_t(-3));
  CHECK(f.cpu.s.r[EDX] == uint32_t(-1));

  run_asm(f, "mov ax, -256\nmov bl, 2\nidiv bl");  // quotient -128 still fits
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x0080);

  f.poke<uint16_t>(CpuFixture::kDataAddr, 10);
  run_asm(f, "mov edx, 0x12340000\nmov eax, 0x56780000 + 1234\ndiv word [0x8000]");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 123);
  CHECK((f.cpu.s.r[EDX] & 0xFFFF) == 4);
  CHECK((f.cpu.s.r[EDX] >> 16) == 0x1234);
}

TEST_CASE("DIV/IDIV raise #DE on a zero divisor or quotient overflow, before any change") {
  CpuFixture f;
  run_asm(f, "xor ecx, ecx\ndiv ecx");
  CHECK(f.faulted(vec::DE));
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 2);

  run_asm(f, "mov edx, 2\nmov eax, 7\nmov ecx, 2\ndiv ecx");  // quotient 0x100000003
  CHECK(f.faulted(vec::DE));
  CHECK(f.cpu.s.r[EAX] == 7);
  CHECK(f.cpu.s.r[EDX] == 2);

  run_asm(f, "mov eax, 0x80000000\ncdq\nmov ecx, -1\nidiv ecx");  // INT_MIN / -1
  CHECK(f.faulted(vec::DE));
  CHECK(f.cpu.s.r[EAX] == 0x80000000u);

  run_asm(f, "mov ax, 0x100\nmov bl, 1\ndiv bl");
  CHECK(f.faulted(vec::DE));

  run_asm(f, "mov ax, 256\nmov bl, 2\nidiv bl");  // +128 does not fit
  CHECK(f.faulted(vec::DE));
}
