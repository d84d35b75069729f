// x87 exception delivery: unmasked exceptions become pending (ES, B) with the destination left
// alone and are reported at the next waiting x87 instruction or WAIT as #MF (CR0.NE=1); no-wait
// instructions do not report; #NM for CR0.EM/TS (WAIT: MP and TS); FIP/FOP/FDP bookkeeping;
// FISTTP (SSE3) is not an i686 instruction.
#include <cmath>
#include "test_x87_fixture.h"

using namespace bt86;

namespace {

// fninit; fldcw [0x8000] (ZE unmasked); fldz; fld1; fdiv st0, st1 -> ZE pending, then `next`.
constexpr uint32_t kFdivAddr = CpuFixture::kCodeAddr + 2 + 6 + 2 + 2;
constexpr uint32_t kAfterFdiv = kFdivAddr + 2;

void divide_by_zero_then(X87Fixture& f, const std::string& next) {
  f.put<uint16_t>(kData, 0x037B);
  f.run_asm("fldcw [0x8000]\nfldz\nfld1\nfdiv st0, st1\n" + next);
}

}  // namespace

TEST_CASE("x87: unmasked divide-by-zero with CR0.NE raises #MF at the next FP instruction") {
  X87Fixture f;
  f.cpu.s.cr0 |= cr0::NE;
  divide_by_zero_then(f, "fld1");
  REQUIRE(f.faulted(vec::MF));
  CHECK(f.cpu.s.eip == kAfterFdiv);                   // the FLD1, not executed
  CHECK(f.fpu().regs[f.fpu().phys(0)] == 1);          // destination unchanged
  CHECK(f.top() == 6);
  CHECK((f.fpu().sw & (fsw::EXCEPTIONS | fsw::ES | fsw::B)) == (fsw::ZE | fsw::ES | fsw::B));
  CHECK(f.fpu().fip == kFdivAddr);                    // the handler can find the culprit
  CHECK(f.fpu().fop == 0x0F1);                        // D8 F1
}

TEST_CASE("x87: WAIT reports the pending exception, no-wait instructions do not") {
  X87Fixture f;
  f.cpu.s.cr0 |= cr0::NE;
  divide_by_zero_then(f, "fnstsw [0x8010]\nfnstcw [0x8012]\nfnstsw ax\nfwait");
  REQUIRE(f.faulted(vec::MF));
  CHECK(f.cpu.s.eip == kAfterFdiv + 6 + 6 + 2);      // at the FWAIT
  CHECK(f.peek<uint16_t>(kData + 0x10) == (fsw::B | (6u << 11) | fsw::ES | fsw::ZE));
  CHECK(f.peek<uint16_t>(kData + 0x12) == 0x037B);
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == f.peek<uint16_t>(kData + 0x10));
  // FNSTENV stores the pending state, then masks all exceptions, which clears ES/B.
  X87Fixture e;
  e.cpu.s.cr0 |= cr0::NE;
  divide_by_zero_then(e, "fnstenv [0x8020]\nfwait");
  CHECK(e.cpu.halted());
  CHECK(e.fpu().cw == 0x037F);
  CHECK((e.fpu().sw & (fsw::ES | fsw::B | fsw::ZE)) == fsw::ZE);
  CHECK(e.peek<uint16_t>(kData + 0x24) == (fsw::B | (6u << 11) | fsw::ES | fsw::ZE));
  X87Fixture g;
  g.cpu.s.cr0 |= cr0::NE;
  divide_by_zero_then(g, "fnclex\nfld1\nfwait");
  CHECK(g.cpu.halted());
  CHECK(!g.cpu.has_last_exception);
  CHECK((g.fpu().sw & (fsw::EXCEPTIONS | fsw::ES | fsw::B)) == 0);
}

TEST_CASE("x87: FINIT (FWAIT + FNINIT) faults on the FWAIT half, FNINIT does not") {
  X87Fixture f;
  f.cpu.s.cr0 |= cr0::NE;
  divide_by_zero_then(f, "finit");
  REQUIRE(f.faulted(vec::MF));
  CHECK(f.cpu.s.eip == kAfterFdiv);
  X87Fixture g;
  g.cpu.s.cr0 |= cr0::NE;
  divide_by_zero_then(g, "fninit\nfld1");
  CHECK(g.cpu.halted());
  CHECK(g.fpu().regs[g.fpu().phys(0)] == 1);
}

TEST_CASE("x87: with CR0.NE=0 the pending exception does not raise #MF") {
  X87Fixture f;
  divide_by_zero_then(f, "fld1\nfwait");
  CHECK(f.cpu.halted());
  CHECK(!f.cpu.has_last_exception);
  CHECK(f.top() == 5);  // the FLD1 ran
}

TEST_CASE("x87: #NM for CR0.EM and CR0.TS; WAIT only for MP+TS") {
  for (uint32_t bits : {cr0::EM, cr0::TS, cr0::EM | cr0::MP}) {
    X87Fixture f;
    f.cpu.s.cr0 |= bits;
    f.run_asm("fninit", /*init=*/false);
    CAPTURE(bits);
    CHECK(f.faulted(vec::NM));
    CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr);
  }
  X87Fixture ts_only;
  ts_only.cpu.s.cr0 |= cr0::TS;
  ts_only.run_asm("fwait", false);
  CHECK(ts_only.cpu.halted());
  X87Fixture em_only;
  em_only.cpu.s.cr0 |= cr0::EM;
  em_only.run_asm("fwait", false);
  CHECK(em_only.cpu.halted());
  X87Fixture mp_ts;
  mp_ts.cpu.s.cr0 |= cr0::MP | cr0::TS;
  mp_ts.run_asm("fwait", false);
  CHECK(mp_ts.faulted(vec::NM));
  X87Fixture fx;
  fx.cpu.s.cr0 |= cr0::TS;
  fx.run_asm("fxsave [0x8000]", false);
  CHECK(fx.faulted(vec::NM));
}

TEST_CASE("x87: FIP/FCS/FOP/FDP/FDS follow the last non-control instruction") {
  X87Fixture f;
  f.cpu.s.r[EBX] = kData;
  f.put<float>(kData + 4, 2.0f);
  // fninit (2) fld1 (2) fadd dword [ebx+4] (3: D8 43 04) fnstcw/fldcw/fnclex keep the pointers.
  f.run_asm("fld1\nfadd dword [ebx+4]\nfnstcw [0x8100]\nfldcw [0x8100]\nfnclex\nfwait");
  CHECK(f.fpu().fip == CpuFixture::kCodeAddr + 4);
  CHECK(f.fpu().fcs == 0x08);
  CHECK(f.fpu().fop == 0x043);
  CHECK(f.fpu().fdp == kData + 4);
  CHECK(f.fpu().fds == 0x10);
  X87Fixture g;
  g.run_asm("fld1\nfnop");  // FNOP is not a control instruction for the pointers
  CHECK(g.fpu().fip == CpuFixture::kCodeAddr + 4);
  CHECK(g.fpu().fop == 0x1D0);
}

TEST_CASE("x87: FISTTP is SSE3 and raises #UD") {
  X87Fixture f;
  f.run_asm("fld1\nfisttp dword [0x8000]");
  CHECK(f.faulted(vec::UD));
}

TEST_CASE("x87: FLDCW keeps reserved bits as the hardware does and recomputes ES") {
  X87Fixture f;
  f.put<uint16_t>(kData, 0xFFFF);
  f.put<uint16_t>(kData + 2, 0x0000);
  f.run_asm("fldcw [0x8000]\nfnstcw [0x8010]\nfldcw [0x8002]\nfnstcw [0x8012]\nfninit");
  CHECK(f.peek<uint16_t>(kData + 0x10) == 0x1F7F);
  CHECK(f.peek<uint16_t>(kData + 0x12) == 0x0040);
  // A masked flag becomes pending when FLDCW unmasks it.
  X87Fixture g;
  g.put<uint16_t>(kData, 0x037B);
  g.run_asm("fldz\nfld1\nfdiv st0, st1\nfldcw [0x8000]");
  CHECK((g.fpu().sw & (fsw::ES | fsw::B)) == (fsw::ES | fsw::B));
}

TEST_CASE("x87: unmasked denormal operand leaves the destination, masked one computes") {
  X87Fixture f;
  f.put<uint32_t>(kData, 0x00000001);  // single denormal
  f.put<uint16_t>(kData + 4, 0x037D);  // DE unmasked
  f.run_asm("fld1\nfldcw [0x8004]\nfadd dword [0x8000]");
  CHECK(f.fpu().regs[f.fpu().phys(0)] == 1);
  CHECK((f.fpu().sw & (fsw::EXCEPTIONS | fsw::ES)) == (fsw::DE | fsw::ES));
  X87Fixture g;
  g.put<uint32_t>(kData, 0x00000001);
  g.run_asm("fld1\nfadd dword [0x8000]");
  CHECK((g.fpu().sw & fsw::EXCEPTIONS) == (fsw::DE | fsw::PE));
}

TEST_CASE("x87: underflow masked gives a denormal, unmasked the exponent-biased result") {
  const long double tiny = std::ldexp(1.0L, -16000);
  X87Fixture f;
  f.put<long double>(kData, tiny);
  f.run_asm("fld tword [0x8000]\nfmul st0, st0");
  CHECK(f.fpu().regs[f.fpu().phys(0)] == 0);  // 2^-32000 flushes to zero (inexact)
  CHECK((f.fpu().sw & fsw::EXCEPTIONS) == (fsw::UE | fsw::PE));
  X87Fixture g;
  g.put<long double>(kData, tiny);
  g.put<uint16_t>(kData + 16, 0x036F);  // UE unmasked
  g.run_asm("fldcw [0x8010]\nfld tword [0x8000]\nfmul st0, st0");
  CHECK(g.fpu().regs[g.fpu().phys(0)] == std::ldexp(1.0L, -32000 + 24576));
  CHECK((g.fpu().sw & (fsw::UE | fsw::ES)) == (fsw::UE | fsw::ES));
}
