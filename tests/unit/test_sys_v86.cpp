// Virtual-8086 mode: entry through IRETD from ring 0, IOPL-sensitive instructions faulting to
// the ring-0 monitor (with GS FS DS ES saved and cleared), INT n reaching the ring-0 handler at
// IOPL 3 and IRETD back into V86 mode, INT3 not IOPL-sensitive, I/O always through the bitmap.
#include <doctest/doctest.h>
#include "sys_test_util.h"

using namespace bt86;
using F = SysFixture;

namespace {

constexpr uint16_t kV86Cs = 0x5000, kV86Ss = 0x6000;
constexpr uint16_t kV86Es = 0x7000, kV86Ds = 0x7100, kV86Fs = 0x7200, kV86Gs = 0x7300;
constexpr uint32_t kV86Ip = 0x0100, kV86Sp = 0x0FFE;

// Ring 0 with a TSS, about to IRETD into V86 code `v86_src` at 5000:0100 with IOPL `iopl`.
void prepare_v86(F& f, const std::string& v86_src, unsigned iopl) {
  f.with_tss();
  f.put_asm(uint32_t(kV86Cs) * 16 + kV86Ip, "bits 16\n" + v86_src);
  const uint32_t frame = F::kRing0StackTop - 36;
  const uint32_t words[9] = {kV86Ip, kV86Cs, fl::FIXED1 | fl::VM | (iopl << 12), kV86Sp, kV86Ss,
                             kV86Es, kV86Ds, kV86Fs, kV86Gs};
  for (unsigned k = 0; k < 9; ++k) f.poke<uint32_t>(frame + 4 * k, words[k]);
  f.cpu.s.r[ESP] = frame;
  f.load_asm("iretd");
}

}  // namespace

TEST_CASE("sys/v86: IRETD with VM in the image enters V86 mode; CLI at IOPL 0 is #GP(0)") {
  F f;
  prepare_v86(f, "cli", 0);
  f.run();
  CHECK(f.faulted_with(vec::GP, 0));
  CHECK(f.cpu.s.v86());
  CHECK(f.cpu.s.cpl == 3);
  CHECK(f.cpu.s.eip == kV86Ip);
  CHECK(f.cpu.s.seg[CS].base == uint32_t(kV86Cs) << 4);
  CHECK(f.cpu.s.seg[SS].base == uint32_t(kV86Ss) << 4);
  CHECK(f.cpu.s.seg[DS].base == uint32_t(kV86Ds) << 4);
  CHECK(f.cpu.s.seg[GS].sel == kV86Gs);
  CHECK(f.cpu.s.r[ESP] == kV86Sp);
}

TEST_CASE("sys/v86: a fault in V86 mode enters the ring-0 handler with the V86 segments saved") {
  F f;
  prepare_v86(f, "cli", 0);
  f.deliver_exceptions();
  f.idt_gate(vec::GP, F::kHandlerAddr);
  f.put_asm(F::kHandlerAddr, "hlt");
  f.run();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.eip == F::kHandlerAddr + 1);
  CHECK_FALSE(f.cpu.s.v86());
  CHECK(f.cpu.s.cpl == 0);
  for (unsigned idx : {ES, DS, FS, GS}) CHECK(f.cpu.s.seg[idx].sel == 0);
  CHECK(f.cpu.s.r[ESP] == F::kRing0StackTop - 40);
  const uint32_t expected[10] = {kV86Gs, kV86Fs, kV86Ds, kV86Es, kV86Ss, kV86Sp, 0, kV86Cs, kV86Ip, 0};
  for (unsigned k = 0; k < 10; ++k) {
    CAPTURE(k);
    if (k == 6) CHECK((f.ring0_stack(k + 1) & fl::VM) != 0);  // EFLAGS
    else CHECK(f.ring0_stack(k + 1) == expected[k]);
  }
}

TEST_CASE("sys/v86: INT n at IOPL 3 goes to the ring-0 handler; IRETD returns into V86 mode") {
  F f;
  prepare_v86(f, "int 0x21\nhlt", 3);
  f.idt_gate(0x21, F::kHandlerAddr, sys_type::INT_GATE32, 3);
  f.put_asm(F::kHandlerAddr, "hlt\niretd");
  f.run();
  REQUIRE(f.cpu.halted());
  CHECK_FALSE(f.cpu.s.v86());
  CHECK(f.cpu.s.cpl == 0);
  CHECK(f.ring0_stack(9) == kV86Ip + 2);
  CHECK(f.cpu.s.seg[DS].sel == 0);
  f.run();  // IRETD back; HLT in V86 mode is #GP(0)
  CHECK(f.faulted_with(vec::GP, 0));
  CHECK(f.cpu.s.v86());
  CHECK(f.cpu.s.eip == kV86Ip + 2);
  CHECK(f.cpu.s.seg[DS].sel == kV86Ds);
  CHECK(f.cpu.s.seg[DS].base == uint32_t(kV86Ds) << 4);
  CHECK(f.cpu.s.r[ESP] == kV86Sp);
}

TEST_CASE("sys/v86: IOPL < 3 makes INT n, PUSHF, POPF fault; INT3 is not IOPL-sensitive") {
  for (const char* insn : {"int 0x21", "pushf", "popf", "sti", "iret"}) {
    CAPTURE(insn);
    F f;
    prepare_v86(f, insn, 0);
    f.run();
    CHECK(f.faulted_with(vec::GP, 0));
    CHECK(f.cpu.s.eip == kV86Ip);
  }
  F g;
  prepare_v86(g, "int3", 0);
  g.idt_gate(vec::BP, F::kHandlerAddr, sys_type::INT_GATE32, 3);
  g.put_asm(F::kHandlerAddr, "hlt");
  g.run();
  CHECK(g.cpu.s.eip == F::kHandlerAddr + 1);
  CHECK_FALSE(g.cpu.s.v86());
}

TEST_CASE("sys/v86: POPF at IOPL 3 changes IF but not IOPL; I/O goes through the bitmap") {
  F f;
  prepare_v86(f, "push word 0x0200\npopf\nhlt", 3);
  f.run();
  CHECK(f.faulted_with(vec::GP, 0));  // the HLT
  CHECK(f.cpu.flag(fl::IF));
  CHECK(f.cpu.s.iopl() == 3);

  F g;
  prepare_v86(g, "in al, 0x80", 3);  // IOPL 3 but no bitmap in the TSS
  g.run();
  CHECK(g.faulted_with(vec::GP, 0));
}
