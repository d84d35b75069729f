// x87 loads, stores and conversions: float/int/BCD formats in both directions, rounding of
// integer stores, out-of-range and unmasked-exception store behaviour, stack overflow and
// underflow, FXCH, FCMOVcc and the stack/tag instructions.
#include <cmath>
#include <limits>
#include "test_x87_fixture.h"

using namespace bt86;

TEST_CASE("x87: float formats load and store back unchanged") {
  X87Fixture f;
  f.put<float>(kData, 1.5f);
  f.put<double>(kData + 4, -3.25);
  f.put_ext(kData + 12, ext80(0x3FFF, 0xC000000000000001ull));
  f.run_asm(
      "fld dword [0x8000]\nfld qword [0x8004]\nfld tword [0x800c]\n"
      "fstp tword [0x8020]\nfstp qword [0x8030]\nfst dword [0x8040]");
  CHECK(f.get_ext(kData + 0x20) == ext80(0x3FFF, 0xC000000000000001ull));
  CHECK(f.peek<double>(kData + 0x30) == -3.25);
  CHECK(f.peek<float>(kData + 0x40) == 1.5f);
  CHECK(f.top() == 7);  // the FST left 1.5 on the stack
  CHECK(f.st(0) == ext80(1.5L));
  CHECK((f.fpu().sw & fsw::EXCEPTIONS) == 0);
}

TEST_CASE("x87: loading a denormal single sets DE, an SNaN single sets IE and gives a QNaN") {
  X87Fixture f;
  f.put<uint32_t>(kData, 0x00000001);   // smallest single denormal
  f.put<uint32_t>(kData + 4, 0x7F800001);  // SNaN
  f.run_asm("fld dword [0x8000]");
  CHECK((f.fpu().sw & fsw::EXCEPTIONS) == fsw::DE);
  CHECK(f.fpu().regs[f.fpu().phys(0)] == std::ldexp(1.0L, -149));
  X87Fixture g;
  g.put<uint32_t>(kData, 0x7F800001);
  g.run_asm("fld dword [0x8000]");
  CHECK((g.fpu().sw & fsw::EXCEPTIONS) == fsw::IE);
  CHECK(g.st(0) == ext80(0x7FFF, 0xC000010000000000ull));  // quietened, payload kept
}

TEST_CASE("x87: integer loads and rounding integer stores") {
  X87Fixture f;
  f.put<int16_t>(kData, -12345);
  f.put<int32_t>(kData + 2, 2000000000);
  f.put<int64_t>(kData + 6, -9000000000000000000ll);
  f.run_asm("fild word [0x8000]\nfild dword [0x8002]\nfild qword [0x8006]");
  CHECK(f.fpu().regs[f.fpu().phys(2)] == -12345);
  CHECK(f.fpu().regs[f.fpu().phys(1)] == 2000000000);
  CHECK(f.fpu().regs[f.fpu().phys(0)] == -9000000000000000000.0L);

  // 2.5 and -2.5 stored under each rounding mode.
  const int16_t expect_pos[4] = {2, 2, 3, 2}, expect_neg[4] = {-2, -3, -2, -2};
  for (unsigned rc = 0; rc < 4; ++rc) {
    X87Fixture g;
    g.put<float>(kData, 2.5f);
    g.put<uint16_t>(kData + 4, uint16_t(0x037F | (rc << 10)));
    g.run_asm(
        "fldcw [0x8004]\nfld dword [0x8000]\nfist word [0x8010]\nfist dword [0x8012]\n"
        "fchs\nfistp qword [0x8020]");
    CAPTURE(rc);
    CHECK(g.peek<int16_t>(kData + 0x10) == expect_pos[rc]);
    CHECK(g.peek<int32_t>(kData + 0x12) == expect_pos[rc]);
    CHECK(g.peek<int64_t>(kData + 0x20) == expect_neg[rc]);
    CHECK(g.fpu().tw == 0xFFFF);  // popped
    CHECK((g.fpu().sw & fsw::EXCEPTIONS) == fsw::PE);
  }
}

TEST_CASE("x87: FIST of an out-of-range value stores the integer indefinite (masked IE)") {
  X87Fixture f;
  f.put<float>(kData, 40000.0f);
  f.put<float>(kData + 4, 1e20f);
  f.run_asm("fld dword [0x8000]\nfist word [0x8010]\nfld dword [0x8004]\nfist dword [0x8012]\n"
            "fistp qword [0x8020]\nfistp word [0x8030]");
  CHECK(f.peek<uint16_t>(kData + 0x10) == 0x8000);
  CHECK(f.peek<uint32_t>(kData + 0x12) == 0x80000000u);
  CHECK(f.peek<uint64_t>(kData + 0x20) == 0x8000000000000000ull);
  CHECK(f.peek<uint16_t>(kData + 0x30) == 0x8000);
  CHECK((f.fpu().sw & fsw::EXCEPTIONS) == fsw::IE);
  CHECK(f.fpu().tw == 0xFFFF);
}

TEST_CASE("x87: FISTP with unmasked IE leaves memory and the stack alone") {
  X87Fixture f;
  f.put<float>(kData, 40000.0f);
  f.put<uint16_t>(kData + 4, 0x037E);  // IE unmasked
  f.put<uint16_t>(kData + 0x10, 0xAAAA);
  f.run_asm("fldcw [0x8004]\nfld dword [0x8000]\nfistp word [0x8010]");
  CHECK(f.peek<uint16_t>(kData + 0x10) == 0xAAAA);
  CHECK(f.top() == 7);  // not popped
  CHECK(f.fpu().regs[f.fpu().phys(0)] == 40000);
  CHECK((f.fpu().sw & (fsw::EXCEPTIONS | fsw::ES | fsw::B)) == (fsw::IE | fsw::ES | fsw::B));
}

TEST_CASE("x87: FST to single overflows: masked gives infinity, unmasked leaves memory") {
  X87Fixture f;
  f.put<double>(kData, 1e300);
  f.run_asm("fld qword [0x8000]\nfst dword [0x8010]");
  CHECK(f.peek<uint32_t>(kData + 0x10) == 0x7F800000u);
  CHECK((f.fpu().sw & fsw::EXCEPTIONS) == (fsw::OE | fsw::PE));

  X87Fixture g;
  g.put<double>(kData, 1e300);
  g.put<uint16_t>(kData + 8, 0x0377);  // OE unmasked
  g.put<uint32_t>(kData + 0x10, 0x12345678);
  g.run_asm("fldcw [0x8008]\nfld qword [0x8000]\nfstp dword [0x8010]");
  CHECK(g.peek<uint32_t>(kData + 0x10) == 0x12345678u);
  CHECK(g.top() == 7);  // no pop
  CHECK((g.fpu().sw & fsw::OE) != 0);
  CHECK((g.fpu().sw & fsw::ES) != 0);
}

TEST_CASE("x87: unmasked overflow in arithmetic delivers the exponent-biased result") {
  // 2^16000 * 2^16000 overflows; with OE unmasked the register gets the result scaled by
  // 2^-24576, exactly as the host produces it.
  long double big = std::ldexp(1.0L, 16000);
  X87Fixture f;
  f.put<long double>(kData, big);
  f.put<uint16_t>(kData + 16, 0x0377);
  f.run_asm("fldcw [0x8010]\nfld tword [0x8000]\nfmul st0, st0");
  CHECK(f.fpu().regs[f.fpu().phys(0)] == std::ldexp(1.0L, 32000 - 24576));
  CHECK((f.fpu().sw & (fsw::OE | fsw::ES)) == (fsw::OE | fsw::ES));
}

TEST_CASE("x87: packed BCD load and store") {
  X87Fixture f;
  // -1234567890123456789 in packed BCD: 9 bytes of digit pairs (low first), sign byte.
  const uint8_t bcd[10] = {0x89, 0x67, 0x45, 0x23, 0x01, 0x89, 0x67, 0x45, 0x23, 0x80};
  f.mem.copy_to(kData, bcd, 10);
  f.put<double>(kData + 16, 12345.5);  // rounds to even: 12346
  f.run_asm("fbld [0x8000]\nfld qword [0x8010]\nfbstp [0x8020]\nfbstp [0x8030]");
  uint8_t out1[10], out2[10];
  f.mem.copy_from(kData + 0x20, out1, 10);
  f.mem.copy_from(kData + 0x30, out2, 10);
  const uint8_t expect1[10] = {0x46, 0x23, 0x01, 0, 0, 0, 0, 0, 0, 0};
  CHECK(std::memcmp(out1, expect1, 10) == 0);
  CHECK(std::memcmp(out2, bcd, 10) == 0);
  CHECK(f.fpu().tw == 0xFFFF);
  CHECK((f.fpu().sw & fsw::EXCEPTIONS) == fsw::PE);
}

TEST_CASE("x87: FBSTP out of range stores the BCD indefinite") {
  X87Fixture f;
  f.put<double>(kData, 1e19);
  f.run_asm("fld qword [0x8000]\nfbstp [0x8010]");
  uint8_t out[10];
  f.mem.copy_from(kData + 0x10, out, 10);
  const uint8_t indefinite[10] = {0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF};
  CHECK(std::memcmp(out, indefinite, 10) == 0);
  CHECK((f.fpu().sw & fsw::EXCEPTIONS) == fsw::IE);
}

TEST_CASE("x87: stack overflow (masked): indefinite, IE+SF, C1 = 1") {
  X87Fixture f;
  f.run_asm("fld1\nfld1\nfld1\nfld1\nfld1\nfld1\nfld1\nfld1\nfldz");
  CHECK(f.st(0) == kIndefinite);
  // Eight pushes fill R7..R0 (TOP 0); the ninth wraps TOP to 7 and overwrites R7.
  CHECK(f.top() == 7);
  CHECK((f.fpu().sw & (fsw::EXCEPTIONS | fsw::SF | fsw::C1)) == (fsw::IE | fsw::SF | fsw::C1));
  CHECK(f.fpu().tw == 0x8000);  // R7 special (indefinite), R0..R6 valid
}

TEST_CASE("x87: stack underflow (masked): indefinite, IE+SF, C1 = 0") {
  X87Fixture f;
  f.run_asm("fld1\nfadd st0, st1");
  CHECK(f.st(0) == kIndefinite);
  CHECK((f.fpu().sw & (fsw::EXCEPTIONS | fsw::SF | fsw::C1)) == (fsw::IE | fsw::SF));
  X87Fixture g;
  g.put<uint32_t>(kData, 0x5555AAAA);
  g.run_asm("fstp dword [0x8000]");  // store from an empty stack: the indefinite, then pop
  CHECK(g.peek<uint32_t>(kData) == 0xFFC00000u);
  CHECK((g.fpu().sw & (fsw::EXCEPTIONS | fsw::SF | fsw::C1)) == (fsw::IE | fsw::SF));
  CHECK(g.top() == 1);
}

TEST_CASE("x87: stack overflow with IE unmasked changes nothing but the flags") {
  X87Fixture f;
  f.put<uint16_t>(kData, 0x037E);
  f.run_asm("fldcw [0x8000]\nfld1\nfld1\nfld1\nfld1\nfld1\nfld1\nfld1\nfldz\nfldpi");
  CHECK(f.top() == 0);
  CHECK(f.st(0) == ext80(0.0L));  // the FLDZ, untouched
  CHECK((f.fpu().sw & (fsw::EXCEPTIONS | fsw::SF | fsw::C1 | fsw::ES)) ==
        (fsw::IE | fsw::SF | fsw::C1 | fsw::ES));
}

TEST_CASE("x87: FXCH swaps, FST/FSTP ST(i) copy and pop") {
  X87Fixture f;
  f.run_asm("fld1\nfldz\nfldpi\nfxch st2\nfst st1\nfstp st2");
  // After fxch: ST0=1 ST1=0 ST2=pi; fst st1: ST1=1; fstp st2: ST2=1 then pop -> ST0=1 ST1=1.
  CHECK(f.fpu().regs[f.fpu().phys(0)] == 1);
  CHECK(f.fpu().regs[f.fpu().phys(1)] == 1);
  CHECK(f.top() == 6);
}

TEST_CASE("x87: FCMOVcc follows the guest EFLAGS") {
  struct Case { const char* insn; uint32_t flags; bool moves; };
  const Case cases[] = {
      {"fcmovb st0, st1", fl::CF, true},   {"fcmovb st0, st1", 0, false},
      {"fcmove st0, st1", fl::ZF, true},   {"fcmove st0, st1", fl::CF, false},
      {"fcmovbe st0, st1", fl::ZF, true},  {"fcmovbe st0, st1", 0, false},
      {"fcmovu st0, st1", fl::PF, true},   {"fcmovu st0, st1", fl::ZF, false},
      {"fcmovnb st0, st1", 0, true},       {"fcmovnb st0, st1", fl::CF, false},
      {"fcmovne st0, st1", 0, true},       {"fcmovne st0, st1", fl::ZF, false},
      {"fcmovnbe st0, st1", 0, true},      {"fcmovnbe st0, st1", fl::CF, false},
      {"fcmovnu st0, st1", 0, true},       {"fcmovnu st0, st1", fl::PF, false},
  };
  for (const Case& c : cases) {
    X87Fixture f;
    f.cpu.s.eflags = fl::FIXED1 | c.flags;
    f.run_asm(std::string("fld1\nfldz\n") + c.insn);
    CAPTURE(c.insn);
    CAPTURE(c.flags);
    CHECK(f.fpu().regs[f.fpu().phys(0)] == (c.moves ? 1 : 0));
    CHECK(f.cpu.s.eflags == (fl::FIXED1 | c.flags));
  }
}

TEST_CASE("x87: FFREE, FFREEP, FINCSTP, FDECSTP only move TOP and tags") {
  X87Fixture f;
  f.run_asm("fld1\nfldz\nffree st1\nfincstp");
  CHECK(f.top() == 7);
  CHECK(f.fpu().tw == 0xDFFF);  // R6 (zero) still tagged, R7 freed
  CHECK(f.fpu().tag(6) == ftag::Zero);
  CHECK(f.fpu().tag(7) == ftag::Empty);
  X87Fixture g;
  g.run_asm("fld1\nfdecstp\nffreep st1");
  CHECK(g.top() == 7);
  CHECK(g.fpu().tw == 0xFFFF);
  CHECK(g.fpu().regs[7] == 1);  // contents survive freeing
}
