// MOV forms, MOVZX/MOVSX, LEA, CMOVcc/SETcc over all 16 conditions, CBW/CWDE/CWD/CDQ, XLAT.
#include "test_ops_util.h"

using namespace bt86;

TEST_CASE("MOV register, memory, immediate and moffs forms") {
  CpuFixture f;
  f.poke<uint32_t>(CpuFixture::kDataAddr, 0xdeadbeef);
  run_asm(f,
          "mov eax, [0x8000]\n"           // A1 moffs32
          "mov [0x8010], eax\n"           // A3 moffs32
          "mov ebx, 0x8000\n"
          "mov cl, [ebx+1]\n"
          "mov ch, 0x77\n"
          "mov word [ebx+0x20], 0x1234\n"
          "mov byte [ebx+0x22], 0x56\n"
          "mov dx, [ebx+2]\n"
          "mov edi, ecx");
  CHECK(f.cpu.s.r[EAX] == 0xdeadbeefu);
  CHECK(f.peek<uint32_t>(CpuFixture::kDataAddr + 0x10) == 0xdeadbeefu);
  CHECK((f.cpu.s.r[ECX] & 0xFFFF) == 0x77be);
  CHECK(f.peek<uint32_t>(CpuFixture::kDataAddr + 0x20) == 0x561234);
  CHECK((f.cpu.s.r[EDX] & 0xFFFF) == 0xdead);
  CHECK(f.cpu.s.r[EDI] == f.cpu.s.r[ECX]);
}

TEST_CASE("MOV with segment override") {
  CpuFixture f;
  Segment fs = f.cpu.s.seg[FS];
  fs.base = 0x9000;
  f.cpu.set_seg(FS, fs);
  f.poke<uint32_t>(0x9004, 0xcafe);
  run_asm(f, "mov eax, [fs:4]");
  CHECK(f.cpu.s.r[EAX] == 0xcafe);
}

TEST_CASE("MOVZX/MOVSX") {
  CpuFixture f;
  f.poke<uint16_t>(CpuFixture::kDataAddr, 0x8001);
  run_asm(f, "mov cl, 0x80\nmovzx eax, cl\nmovsx ebx, cl\nmovsx edx, word [0x8000]\nmovzx si, cl\nmovsx edi, ch");
  CHECK(f.cpu.s.r[EAX] == 0x80);
  CHECK(f.cpu.s.r[EBX] == 0xFFFFFF80u);
  CHECK(f.cpu.s.r[EDX] == 0xFFFF8001u);
  CHECK((f.cpu.s.r[ESI] & 0xFFFF) == 0x80);
}

TEST_CASE("LEA: no memory access, operand and address size truncation") {
  CpuFixture f;
  run_asm(f,
          "mov ecx, 0x10\nmov edx, 0x1000\nlea eax, [ecx+edx*4+8]\n"
          "mov ebx, 0xffff0010\nmov esi, 0xfffffff0\nlea edi, [bx+si+5]\n"  // 16-bit address: wraps
          "lea bp, [edx+ecx+0x12340000]");
  CHECK(f.cpu.s.r[EAX] == 0x4018);
  CHECK(f.cpu.s.r[EDI] == 0x5);
  CHECK((f.cpu.s.r[EBP] & 0xFFFF) == 0x1010);
}

// Reference evaluation of condition code cc, written independently of the implementation.
static bool reference_condition(unsigned cc, uint32_t f) {
  bool cf = f & fl::CF, zf = f & fl::ZF, sf = f & fl::SF, of = f & fl::OF, pf = f & fl::PF;
  bool r[8] = {of, cf, zf, cf || zf, sf, pf, sf != of, zf || sf != of};
  return (cc & 1) ? !r[cc >> 1] : r[cc >> 1];
}

TEST_CASE("SETcc, CMOVcc and Jcc agree with the reference conditions for all 16 codes") {
  CpuFixture f;
  const uint32_t samples[] = {0, fl::CF, fl::ZF, fl::SF, fl::OF, fl::PF, fl::SF | fl::OF, fl::ZF | fl::CF,
                              fl::SF | fl::ZF, fl::OF | fl::ZF, fl::ARITH};
  for (unsigned cc = 0; cc < 16; ++cc) {
    for (uint32_t flags : samples) {
      f.cpu.mmu.code_pages.invalidate_all();
      // SETcc al; CMOVcc ebx, ecx; Jcc over "mov edx, 1".
      f.load_code({0x0F, uint8_t(0x90 + cc), 0xC0,
                   0xBB, 0, 0, 0, 0, 0xB9, 7, 0, 0, 0, 0x0F, uint8_t(0x40 + cc), 0xD9,
                   0xBA, 0, 0, 0, 0, uint8_t(0x70 + cc), 5, 0xBA, 1, 0, 0, 0, 0xF4});
      f.cpu.s.eflags = flags | fl::FIXED1;
      f.run();
      const bool expect = reference_condition(cc, flags);
      CAPTURE(cc);
      CAPTURE(flags);
      CHECK((f.cpu.s.r[EAX] & 0xFF) == (expect ? 1u : 0u));
      CHECK(f.cpu.s.r[EBX] == (expect ? 7u : 0u));
      CHECK(f.cpu.s.r[EDX] == (expect ? 0u : 1u));
    }
  }
}

TEST_CASE("CMOVcc reads memory even when the condition is false; SETcc to memory") {
  CpuFixture f;
  f.poke<uint32_t>(CpuFixture::kDataAddr, 42);
  run_asm(f, "mov eax, 1\ncmp eax, 1\ncmovz ecx, [0x8000]\ncmovnz edx, [0x8000]\nsetz byte [0x8004]");
  CHECK(f.cpu.s.r[ECX] == 42);
  CHECK(f.cpu.s.r[EDX] != 42);
  CHECK(f.peek<uint8_t>(CpuFixture::kDataAddr + 4) == 1);

  Segment ds = f.cpu.s.seg[DS];
  ds.limit = 0x100;
  f.cpu.set_seg(DS, ds);
  run_asm(f, "xor eax, eax\ncmovnz eax, [0x8000]");  // condition false, but the read faults
  CHECK(f.faulted(vec::GP));
}

TEST_CASE("CBW CWDE CWD CDQ") {
  CpuFixture f;
  run_asm(f, "mov eax, 0x12345680\ncbw");
  CHECK(f.cpu.s.r[EAX] == 0x1234FF80u);
  run_asm(f, "mov eax, 0x12348000\ncwde");
  CHECK(f.cpu.s.r[EAX] == 0xFFFF8000u);
  run_asm(f, "mov edx, 0x12345678\nmov eax, 0x8000\ncwd");
  CHECK(f.cpu.s.r[EDX] == 0x1234FFFFu);
  run_asm(f, "mov edx, 0x12345678\nmov eax, 0x7fffffff\ncdq");
  CHECK(f.cpu.s.r[EDX] == 0);
  run_asm(f, "mov eax, -1\ncdq");
  CHECK(f.cpu.s.r[EDX] == 0xFFFFFFFFu);
}

TEST_CASE("XLAT uses (E)BX + AL with the data segment or an override") {
  CpuFixture f;
  f.poke<uint8_t>(CpuFixture::kDataAddr + 0x85, 0x3C);
  run_asm(f, "mov ebx, 0x8000\nmov eax, 0xffffff85\nxlatb");
  CHECK(f.cpu.s.r[EAX] == 0xffffff3Cu);

  Segment es = f.cpu.s.seg[ES];
  es.base = 0x100;
  f.cpu.set_seg(ES, es);
  f.poke<uint8_t>(0x100 + 0x8000 + 2, 0x99);
  run_asm(f, "mov ebx, 0x8000\nmov al, 2\nes xlatb");
  CHECK((f.cpu.s.r[EAX] & 0xFF) == 0x99);
}

TEST_CASE("XLAT in real mode uses BX") {
  CpuFixture f(false);
  f.poke<uint8_t>(0x8003, 0x44);
  run_asm(f, "mov ebx, 0x12348000\nmov al, 3\nxlatb");
  CHECK((f.cpu.s.r[EAX] & 0xFF) == 0x44);
}
