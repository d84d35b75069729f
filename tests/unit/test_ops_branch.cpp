// JMP/CALL/RET near (relative, register, memory, RET imm16), LOOP/LOOPE/LOOPNE, JCXZ/JECXZ with
// the address size choosing CX or ECX, 16-bit targets and the CS-limit #GP.
#include "test_ops_util.h"

using namespace bt86;

TEST_CASE("JMP relative, register and memory") {
  CpuFixture f;
  run_asm(f, "jmp short a\nmov eax, 1\na: jmp near b\nmov eax, 2\nb: mov ecx, c\njmp ecx\nmov eax, 3\nc: mov dword [0x8000], d\njmp [0x8000]\nmov eax, 4\nd: mov ebx, 5");
  CHECK(f.cpu.s.r[EAX] == 0);
  CHECK(f.cpu.s.r[EBX] == 5);
}

TEST_CASE("CALL pushes the return address; RET and RET imm16 pop it") {
  CpuFixture f;
  run_asm(f,
          "push 0x11\npush 0x22\ncall fn\nmov ebx, esp\njmp done\n"
          "fn: mov eax, [esp]\nret 8\n"
          "done:");
  CHECK(f.cpu.s.r[EAX] == CpuFixture::kCodeAddr + 4 + 5);  // the address after the CALL
  CHECK(f.cpu.s.r[EBX] == CpuFixture::kStackTop);

  run_asm(f, "xor edx, edx\nmov ecx, fn2\ncall ecx\nmov dword [0x8000], fn2\ncall [0x8000]\njmp done2\nfn2: inc edx\nret\ndone2:");
  CHECK(f.cpu.s.r[EDX] == 2);
  CHECK(f.cpu.s.r[ESP] == CpuFixture::kStackTop);
}

TEST_CASE("Near branches in real mode use 16-bit IP and stack slots") {
  CpuFixture f(false);
  run_asm(f, "call fn\njmp done\nfn: mov bp, sp\nmov ax, [bp]\nret\ndone:");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == CpuFixture::kCodeAddr + 3);
  CHECK(f.cpu.s.r[ESP] == CpuFixture::kStackTop);

  // 0x66 CALL in 16-bit code pushes a 32-bit return address.
  run_asm(f, "call dword fn32\njmp done32\nfn32: o32 ret\ndone32:");
  CHECK(f.cpu.s.r[ESP] == CpuFixture::kStackTop);
  CHECK(f.peek<uint32_t>(CpuFixture::kStackTop - 4) == CpuFixture::kCodeAddr + 6);
}

TEST_CASE("A branch beyond the CS limit raises #GP(0) with nothing changed") {
  CpuFixture f(false);
  run_asm(f, "mov ecx, 0x12345\njmp ecx");  // 32-bit operand in 16-bit code: target > 0xFFFF
  CHECK(f.faulted(vec::GP));
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 6);

  run_asm(f, "mov ecx, 0x12345\ncall ecx");
  CHECK(f.faulted(vec::GP));
  CHECK(f.cpu.s.r[ESP] == CpuFixture::kStackTop);

  CpuFixture p;
  Segment cs = p.cpu.s.seg[CS];
  cs.limit = 0x2000;
  p.cpu.set_seg(CS, cs);
  run_asm(p, "mov eax, 0x2001\njmp eax");
  CHECK(p.faulted(vec::GP));
  CHECK(p.cpu.last_exception.error == 0);
}

TEST_CASE("LOOP/LOOPE/LOOPNE count with ECX") {
  CpuFixture f;
  run_asm(f, "mov ecx, 5\nxor eax, eax\nl: inc eax\nloop l");
  CHECK(f.cpu.s.r[EAX] == 5);
  CHECK(f.cpu.s.r[ECX] == 0);

  // LOOPE stops when ZF becomes 0: compare bytes until a mismatch.
  run_asm(f, "mov ecx, 10\nxor ebx, ebx\nl2: inc ebx\ncmp ebx, 3\nloopne l2");
  CHECK(f.cpu.s.r[EBX] == 3);
  CHECK(f.cpu.s.r[ECX] == 7);

  run_asm(f, "mov ecx, 10\nxor ebx, ebx\nl3: inc ebx\ncmp ebx, ebx\nloope l3");
  CHECK(f.cpu.s.r[EBX] == 10);
  CHECK(f.cpu.s.r[ECX] == 0);
}

TEST_CASE("The address size picks CX or ECX for LOOP and JCXZ/JECXZ") {
  CpuFixture f;
  run_asm(f, "mov ecx, 0x10001\nxor eax, eax\nl: inc eax\na16 loop l");  // CX 1 -> 0: falls through
  CHECK(f.cpu.s.r[EAX] == 1);
  CHECK(f.cpu.s.r[ECX] == 0x10000);

  run_asm(f, "mov ecx, 0x10000\nxor eax, eax\njcxz z\nmov eax, 1\nz: jecxz z2\nmov ebx, 7\nz2:");
  CHECK(f.cpu.s.r[EAX] == 0);  // CX == 0: taken
  CHECK(f.cpu.s.r[EBX] == 7);  // ECX != 0: not taken

  CpuFixture r(false);
  run_asm(r, "mov ecx, 0x10000\nmov ax, 0\njcxz z\nmov ax, 1\nz:");
  CHECK((r.cpu.s.r[EAX] & 0xFFFF) == 0);
}
