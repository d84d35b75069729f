// x87 arithmetic: results as bit-exact 80-bit values, status word (flags, C1, TOP) and tags, for
// every operand form, every rounding/precision mode and the special cases (invalid, FPREM loop,
// FSCALE/FXTRACT/FRNDINT), with the host CPU as the oracle where values are not obvious.
#include <cmath>
#include "test_x87_fixture.h"

using namespace bt86;

TEST_CASE("x87: fld1 + fld1 + fadd gives 2, then 1+2 = 3 exactly") {
  X87Fixture f;
  f.run_asm("fld1\nfld1\nfadd st0, st1\nfaddp st1, st0");  // (1+1) + 1
  REQUIRE(f.cpu.halted());
  CHECK(f.st(0) == ext80(0x4000, 0xC000000000000000ull));  // 3.0
  CHECK(f.top() == 7);
  CHECK(f.fpu().sw == (7u << 11));         // no flags, TOP = 7
  CHECK(f.fpu().tw == 0x3FFF);             // R7 valid, the rest empty
}

TEST_CASE("x87: 0.1 + 0.2 under every rounding and precision control matches the host") {
  const double a = 0.1, b = 0.2;
  for (uint16_t pc : {0u, 2u, 3u}) {
    for (uint16_t rc : {0u, 1u, 2u, 3u}) {
      const uint16_t cw = uint16_t(0x007F | (pc << 8) | (rc << 10));
      CAPTURE(cw);
      X87Fixture f;
      f.put<double>(kData, a);
      f.put<double>(kData + 8, b);
      f.put<uint16_t>(kData + 16, cw);
      f.run_asm("fldcw [0x8010]\nfld qword [0x8000]\nfadd qword [0x8008]");
      double mem[2] = {a, b};
      NativeX87 n;
      NATIVE_X87(n, cw, mem, "fldl (%[m])\n\tfaddl 8(%[m])");
      CHECK(f.st(0) == n.st[0]);
      CHECK(f.fpu().sw == n.sw);
      CHECK(((f.fpu().sw & fsw::PE) != 0) == (pc != 3));  // exact in 64-bit precision
    }
  }
}

TEST_CASE("x87: every operand form of the non-commutative operations") {
  // ST0 = 8, ST1 = 2; memory: m32 4.0, m64 16.0, m16 int 3, m32 int 5.
  auto run = [](const char* insn) {
    X87Fixture f;
    f.put<float>(kData, 4.0f);
    f.put<double>(kData + 4, 16.0);
    f.put<int16_t>(kData + 12, 3);
    f.put<int32_t>(kData + 14, 5);
    f.put<float>(kData + 20, 2.0f);
    f.put<float>(kData + 24, 8.0f);
    f.run_asm(std::string("fld dword [0x8014]\nfld dword [0x8018]\n") + insn);
    REQUIRE(f.cpu.halted());
    return std::pair<long double, long double>(f.fpu().regs[f.fpu().phys(0)], f.fpu().regs[f.fpu().phys(1)]);
  };
  using R = std::pair<long double, long double>;
  CHECK(run("fsub st0, st1") == R(6, 2));
  CHECK(run("fsub st1, st0") == R(8, -6));      // ST1 = ST1 - ST0
  CHECK(run("fsubr st0, st1") == R(-6, 2));
  CHECK(run("fsubr st1, st0") == R(8, 6));      // ST1 = ST0 - ST1
  CHECK(run("fsubp st1, st0").first == -6);
  CHECK(run("fsubrp st1, st0").first == 6);
  CHECK(run("fdiv st0, st1") == R(4, 2));
  CHECK(run("fdiv st1, st0") == R(8, 0.25));
  CHECK(run("fdivr st0, st1") == R(0.25, 2));
  CHECK(run("fdivr st1, st0") == R(8, 4));
  CHECK(run("fdivp st1, st0").first == 0.25);
  CHECK(run("fdivrp st1, st0").first == 4);
  CHECK(run("fsub dword [0x8000]").first == 4);
  CHECK(run("fsubr dword [0x8000]").first == -4);
  CHECK(run("fsub qword [0x8004]").first == -8);
  CHECK(run("fdivr qword [0x8004]").first == 2);
  CHECK(run("fisub word [0x800c]").first == 5);
  CHECK(run("fisubr dword [0x800e]").first == -3);
  CHECK(run("fidiv word [0x800c]").first == 8.0L / 3);
  CHECK(run("fidivr dword [0x800e]").first == 5.0L / 8);
  CHECK(run("fiadd word [0x800c]").first == 11);
  CHECK(run("fimul dword [0x800e]").first == 40);
  CHECK(run("fmul st1, st0") == R(8, 16));
  CHECK(run("fmulp st1, st0").first == 16);
  CHECK(run("fadd dword [0x8000]").first == 12);
  CHECK(run("fmul qword [0x8004]").first == 128);
  CHECK(run("fchs").first == -8);
  CHECK(run("fchs\nfabs").first == 8);
}

TEST_CASE("x87: FSQRT of -1 masked gives the indefinite and IE") {
  X87Fixture f;
  f.run_asm("fld1\nfchs\nfsqrt");
  CHECK(f.st(0) == kIndefinite);
  CHECK((f.fpu().sw & fsw::EXCEPTIONS) == fsw::IE);
  CHECK(!(f.fpu().sw & (fsw::ES | fsw::SF)));
  CHECK(f.tag_of_st(0) == ftag::Special);
}

TEST_CASE("x87: divide by zero masked gives infinity and ZE") {
  X87Fixture f;
  f.run_asm("fldz\nfld1\nfdiv st0, st1");
  CHECK(f.st(0) == ext80(0x7FFF, 0x8000000000000000ull));
  CHECK((f.fpu().sw & fsw::EXCEPTIONS) == fsw::ZE);
}

TEST_CASE("x87: FPREM partial remainder loop") {
  // 2^200 mod 3: the exponent difference is > 63, so FPREM only reduces partially (C2 = 1) and
  // must be repeated. Count the iterations natively, then run as many in the guest.
  const long double x = std::ldexp(1.0L, 200), y = 3;
  long double mem[2] = {y, x};
  unsigned iterations = 0;
  asm volatile(
      "fninit\n\tfldt (%[m])\n\tfldt 16(%[m])\n"
      "1:\n\tincl %[n]\n\tfprem\n\tfnstsw %%ax\n\ttestb $4, %%ah\n\tjnz 1b\n\tfninit"
      : [n] "+r"(iterations)
      : [m] "r"(mem)
      : "memory", "rax", "cc", "st", "st(1)");
  REQUIRE(iterations > 1);

  X87Fixture partial;
  partial.put<long double>(kData, y);
  partial.put<long double>(kData + 16, x);
  partial.run_asm("fld tword [0x8000]\nfld tword [0x8010]\nfprem");
  CHECK((partial.fpu().sw & fsw::C2) != 0);

  std::string body = "fld tword [0x8000]\nfld tword [0x8010]\n";
  for (unsigned k = 0; k < iterations; ++k) body += "fprem\n";
  X87Fixture f;
  f.put<long double>(kData, y);
  f.put<long double>(kData + 16, x);
  f.run_asm(body);
  CHECK(!(f.fpu().sw & fsw::C2));
  CHECK(f.fpu().regs[f.fpu().phys(0)] == std::fmod(x, y));
  CHECK(f.fpu().regs[f.fpu().phys(1)] == 3);
  // The quotient's low bits in C0 C3 C1 match the host.
  NativeX87 n;
  NATIVE_X87(n, 0x37F, mem, "fldt (%[m])\n\tfldt 16(%[m])\n1:\n\tfprem\n\tfnstsw %%ax\n\ttestb $4, %%ah\n\tjnz 1b");
  CHECK(f.st(0) == n.st[0]);
  CHECK(f.fpu().sw == n.sw);
}

TEST_CASE("x87: FSCALE, FXTRACT, FRNDINT, FPREM1 match the host") {
  long double mem[2] = {2.5L, -7.75L};
  {
    X87Fixture f;
    f.put<long double>(kData, mem[0]);
    f.put<long double>(kData + 16, mem[1]);
    f.run_asm("fld tword [0x8000]\nfld tword [0x8010]\nfscale");
    NativeX87 n;
    NATIVE_X87(n, 0x37F, mem, "fldt (%[m])\n\tfldt 16(%[m])\n\tfscale");
    CHECK(f.st(0) == n.st[0]);
    CHECK(f.fpu().sw == n.sw);
  }
  {
    X87Fixture f;
    f.put<long double>(kData + 16, mem[1]);
    f.run_asm("fld tword [0x8010]\nfxtract");
    NativeX87 n;
    NATIVE_X87(n, 0x37F, mem, "fldt 16(%[m])\n\tfxtract");
    CHECK(f.st(0) == n.st[0]);  // significand
    CHECK(f.st(1) == n.st[1]);  // exponent
    CHECK(f.fpu().sw == n.sw);
    CHECK(f.fpu().regs[f.fpu().phys(1)] == 2);
  }
  for (uint16_t rc : {0u, 1u, 2u, 3u}) {
    const uint16_t cw = uint16_t(0x037F | (rc << 10));
    X87Fixture f;
    f.put<long double>(kData, mem[0]);
    f.put<uint16_t>(kData + 32, cw);
    f.run_asm("fldcw [0x8020]\nfld tword [0x8000]\nfrndint");
    NativeX87 n;
    NATIVE_X87(n, cw, mem, "fldt (%[m])\n\tfrndint");
    CHECK(f.st(0) == n.st[0]);
    CHECK(f.fpu().sw == n.sw);
  }
  {
    X87Fixture f;
    f.put<long double>(kData, mem[0]);
    f.put<long double>(kData + 16, mem[1]);
    f.run_asm("fld tword [0x8000]\nfld tword [0x8010]\nfprem1");
    CHECK(f.fpu().regs[f.fpu().phys(0)] == std::remainder(-7.75L, 2.5L));
  }
}

TEST_CASE("x87: transcendental instructions match the host bit for bit") {
  long double mem[2] = {0.7L, 1.3L};
  // Each guest snippet below loads ST1 = 1.3, ST0 = 0.7 and runs one instruction.
#define X87_TRANSC_CASE(guest_insn, host_insn)                                       \
  {                                                                                   \
    X87Fixture f;                                                                     \
    f.put<long double>(kData, mem[0]);                                                \
    f.put<long double>(kData + 16, mem[1]);                                           \
    f.run_asm("fld tword [0x8010]\nfld tword [0x8000]\n" guest_insn);                 \
    NativeX87 n;                                                                      \
    NATIVE_X87(n, 0x37F, mem, "fldt 16(%[m])\n\tfldt (%[m])\n\t" host_insn);          \
    CAPTURE(guest_insn);                                                              \
    CHECK(f.st(0) == n.st[0]);                                                        \
    CHECK(f.st(1) == n.st[1]);                                                        \
    CHECK(f.fpu().sw == n.sw);                                                        \
    CHECK(f.fpu().tw == n.tw);                                                        \
  }
  X87_TRANSC_CASE("fsin", "fsin")
  X87_TRANSC_CASE("fcos", "fcos")
  X87_TRANSC_CASE("fsincos", "fsincos")
  X87_TRANSC_CASE("fptan", "fptan")
  X87_TRANSC_CASE("fpatan", "fpatan")
  X87_TRANSC_CASE("f2xm1", "f2xm1")
  X87_TRANSC_CASE("fyl2x", "fyl2x")
  X87_TRANSC_CASE("fyl2xp1", "fyl2xp1")
  X87_TRANSC_CASE("fldpi\nfmulp st1, st0", "fldpi\n\tfmulp")
  X87_TRANSC_CASE("fldl2t\nfldl2e\nfldlg2\nfldln2", "fldl2t\n\tfldl2e\n\tfldlg2\n\tfldln2")
#undef X87_TRANSC_CASE
}

TEST_CASE("x87: FSIN out of range sets C2 and leaves the operand") {
  X87Fixture f;
  f.put<double>(kData, std::ldexp(1.0, 70));
  f.run_asm("fld qword [0x8000]\nfsin");
  CHECK((f.fpu().sw & fsw::C2) != 0);
  CHECK(f.fpu().regs[f.fpu().phys(0)] == std::ldexp(1.0L, 70));
}
