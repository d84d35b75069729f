// LAHF SAHF CLC STC CMC CLD STD SALC, the NOP forms and PAUSE, BOUND (#BR).
#include "test_ops_util.h"

using namespace bt86;

TEST_CASE("LAHF/SAHF move SF ZF AF PF CF through AH") {
  CpuFixture f;
  run_asm(f, "mov eax, 0\nsub eax, 1\nlahf");  // CF SF AF PF
  CHECK(((f.cpu.s.r[EAX] >> 8) & 0xFF) == (fl::CF | fl::SF | fl::AF | fl::PF | fl::FIXED1));

  run_asm(f, "mov ecx, 0x7fffffff\ninc ecx\nmov ah, 0x41\nsahf");  // OF from INC stays
  CHECK(status_flags(f) == (fl::ZF | fl::CF | fl::OF));
}

TEST_CASE("CLC STC CMC CLD STD SALC") {
  CpuFixture f;
  run_asm(f, "stc\ncmc\nsetc bl\ncmc\nsalc\nstd");
  CHECK((f.cpu.s.r[EBX] & 0xFF) == 0);
  CHECK((f.cpu.s.r[EAX] & 0xFF) == 0xFF);
  CHECK(f.cpu.flag(fl::DF));
  run_asm(f, "cld\nclc\nsalc");
  CHECK(!f.cpu.flag(fl::DF));
  CHECK((f.cpu.s.r[EAX] & 0xFF) == 0);
}

TEST_CASE("NOP forms never touch memory") {
  CpuFixture f;
  Segment ds = f.cpu.s.seg[DS];
  ds.limit = 0xFF;
  f.cpu.set_seg(DS, ds);
  run_asm(f, "mov eax, 0x100000\nnop\ndb 0x66, 0x90\ndb 0x0f, 0x1f, 0x80, 0, 0, 0, 0\ndb 0x0f, 0x1f, 0x44, 0, 0\npause\nmov ebx, 1");
  CHECK(!f.cpu.has_last_exception);
  CHECK(f.cpu.s.r[EBX] == 1);
}

TEST_CASE("BOUND: in range passes, out of range raises #BR") {
  CpuFixture f;
  f.poke<int32_t>(CpuFixture::kDataAddr, -10);
  f.poke<int32_t>(CpuFixture::kDataAddr + 4, 20);
  run_asm(f, "mov eax, -10\nbound eax, [0x8000]\nmov eax, 20\nbound eax, [0x8000]\nmov ebx, 1");
  CHECK(!f.cpu.has_last_exception);
  CHECK(f.cpu.s.r[EBX] == 1);

  run_asm(f, "mov eax, 21\nbound eax, [0x8000]");
  CHECK(f.faulted(vec::BR));
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 5);

  f.poke<int16_t>(CpuFixture::kDataAddr + 8, 5);
  f.poke<int16_t>(CpuFixture::kDataAddr + 10, 6);
  run_asm(f, "mov ax, 4\nbound ax, [0x8008]");
  CHECK(f.faulted(vec::BR));
}

TEST_CASE("Encodings a CPU without BMI1/CET runs as older instructions: REP BSF, ENDBR32, PREFETCH") {
  CpuFixture f;
  run_asm(f, "mov ecx, 0x80\ndb 0xf3, 0x0f, 0xbc, 0xc1\nendbr32\nprefetchnta [0xfffffff0]\nmov ebx, 1");
  CHECK(f.cpu.s.r[EAX] == 7);  // BSF, not TZCNT semantics
  CHECK(f.cpu.s.r[EBX] == 1);
}

TEST_CASE("MOVSD with XMM operands is not the string instruction") {
  CpuFixture f;
  run_asm(f, "movsd xmm0, xmm1");
  CHECK(f.faulted(vec::UD));
}
