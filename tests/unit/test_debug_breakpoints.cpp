// Debug registers acting as the hardware does (SDM vol. 3, ch. 17): instruction breakpoints
// (fault, RF), data breakpoints (trap, lengths, alignment, REP iterations), I/O breakpoints,
// DR6 status bits, general detect, DR4/DR5 aliasing, single-step, the TSS T bit and the RF image
// pushed by faults; MOV SS / POP SS holding debug exceptions off for one instruction; no
// single-step trap for INT n.
#include <doctest/doctest.h>
#include <algorithm>
#include <string>
#include "cpu/debug_breakpoints.h"
#include "sys_test_util.h"

using namespace bt86;
using F = SysFixture;

namespace {

constexpr uint32_t kData = CpuFixture::kDataAddr;
constexpr uint32_t kCode = CpuFixture::kCodeAddr;

// DR7 value enabling breakpoint n (Ln) with the given R/W and LEN fields.
uint32_t enable(unsigned n, unsigned rw, unsigned len) {
  return 1u << (2 * n) | rw << (16 + 4 * n) | len << (18 + 4 * n);
}
constexpr unsigned kExec = 0, kWrite = 1, kIo = 2, kReadWrite = 3;
constexpr unsigned kLen1 = 0, kLen2 = 1, kLen4 = 3;

// Guest code that loads DRn = addr and DR7 = dr7 through MOV DRn, then runs `body`.
std::string arm(unsigned n, uint32_t addr, uint32_t dr7_value, const std::string& body) {
  return "mov eax, " + std::to_string(addr) + "\nmov dr" + std::to_string(n) + ", eax\nmov eax, " +
         std::to_string(dr7_value) + "\nmov dr7, eax\n" + body;
}

}  // namespace

TEST_CASE("debug: an instruction breakpoint faults before the instruction; RF = 1 lets it run") {
  F f;
  f.load_asm(arm(0, kCode + 0x40, enable(0, kExec, kLen1), "jmp target\ntimes 0x40-($-$$) nop\n"
             "target: mov ebx, 2\nhlt"));
  f.run();
  REQUIRE(f.faulted(vec::DB));
  CHECK(f.cpu.s.eip == kCode + 0x40);
  CHECK(f.cpu.s.r[EBX] != 2);
  CHECK((f.cpu.s.dr[6] & dr6::B_ALL) == 1);
  f.cpu.s.eflags |= fl::RF;  // what a debugger's IRET image does
  f.run();
  CHECK(f.cpu.halted());
  CHECK(f.cpu.s.r[EBX] == 2);
  CHECK_FALSE(f.cpu.flag(fl::RF));
}

TEST_CASE("debug: a write breakpoint traps after the writing instruction, not on reads") {
  F f;
  // LEN 4 at kData + 2 covers kData .. kData + 3 (aligned down).
  f.load_asm(arm(1, kData + 2, enable(1, kWrite, kLen4),
                 "mov dword [" + std::to_string(kData + 4) + "], 7\n"  // outside: no trap
                 "mov eax, [" + std::to_string(kData) + "]\n"          // a read: no trap
                 "mov byte [" + std::to_string(kData + 0) + "], 9\n"   // hit
                 "after: mov ecx, 5\nhlt"));
  f.run();
  REQUIRE(f.faulted(vec::DB));
  CHECK(f.peek<uint8_t>(kData) == 9);  // the write happened
  CHECK(f.cpu.s.r[ECX] != 5);
  CHECK(f.peek<uint8_t>(f.cpu.s.eip) == 0xB9);  // stopped at "mov ecx, 5"
  CHECK((f.cpu.s.dr[6] & dr6::B_ALL) == 2);
  f.run();
  CHECK(f.cpu.halted());
  CHECK(f.cpu.s.r[ECX] == 5);
}

TEST_CASE("debug: a read/write breakpoint traps on a read; LEN 2 aligns down") {
  F f;
  f.load_asm(arm(2, kData + 0x11, enable(2, kReadWrite, kLen2),
                 "mov ax, [" + std::to_string(kData + 0x12) + "]\n"  // next to it: no trap
                 "mov al, [" + std::to_string(kData + 0x10) + "]\n"  // inside kData+0x10..0x11
                 "hlt"));
  f.run();
  REQUIRE(f.faulted(vec::DB));
  CHECK((f.cpu.s.dr[6] & dr6::B_ALL) == 4);
  CHECK(f.peek<uint8_t>(f.cpu.s.eip) == 0xF4);
}

TEST_CASE("debug: DR6 reports a matching breakpoint that DR7 does not enable") {
  F f;
  f.load_asm(arm(0, kData, enable(0, kWrite, kLen1),
                 "mov eax, " + std::to_string(kData) + "\nmov dr3, eax\n"
                 "mov eax, " + std::to_string(enable(0, kWrite, kLen1) | (kWrite << 28)) + "\nmov dr7, eax\n"
                 "mov byte [" + std::to_string(kData) + "], 1\nhlt"));
  f.run();
  REQUIRE(f.faulted(vec::DB));
  CHECK((f.cpu.s.dr[6] & dr6::B_ALL) == (1 | 8));
}

TEST_CASE("debug: REP STOSB traps after the iteration that hit, then resumes") {
  F f;
  f.load_asm(arm(0, kData + 5, enable(0, kWrite, kLen1),
                 "mov edi, " + std::to_string(kData) + "\nmov ecx, 10\nmov al, 0xAA\ncld\nrep stosb\nhlt"));
  f.run();
  REQUIRE(f.faulted(vec::DB));
  CHECK(f.cpu.s.r[ECX] == 4);  // bytes 0..5 written
  CHECK(f.cpu.s.r[EDI] == kData + 6);
  CHECK(f.peek<uint8_t>(kData + 5) == 0xAA);
  CHECK(f.peek<uint8_t>(kData + 6) == 0);
  CHECK(f.peek<uint8_t>(f.cpu.s.eip) == 0xF3);  // still at the REP instruction
  CHECK(f.cpu.flag(fl::RF));                            // RF = 1 in the image of a mid-REP trap
  f.run();
  CHECK(f.cpu.halted());
  CHECK(f.cpu.s.r[ECX] == 0);
  CHECK(f.peek<uint8_t>(kData + 9) == 0xAA);
}

TEST_CASE("debug: a page-crossing access and a push reach a data breakpoint") {
  F f;
  const uint32_t page_end = kData + 0x1000 - 2;  // dword write crossing into the next page
  f.load_asm(arm(0, page_end + 2, enable(0, kWrite, kLen1),
                 "mov dword [" + std::to_string(page_end) + "], 0x11223344\nhlt"));
  f.run();
  REQUIRE(f.faulted(vec::DB));
  CHECK(f.peek<uint32_t>(page_end) == 0x11223344);

  F g;
  const uint32_t slot = F::kRing0StackTop - 4;
  g.load_asm(arm(1, slot, enable(1, kWrite, kLen4), "push 0x55\nhlt"));
  g.run();
  REQUIRE(g.faulted(vec::DB));
  CHECK((g.cpu.s.dr[6] & dr6::B_ALL) == 2);
  CHECK(g.peek<uint32_t>(slot) == 0x55);
}

TEST_CASE("debug: I/O breakpoints need CR4.DE and trap after IN/OUT") {
  F f;
  f.cpu.s.cr4 |= cr4::DE;
  f.load_asm(arm(3, 0x80, enable(3, kIo, kLen1), "out 0x81, al\nout 0x80, al\nmov ebx, 1\nhlt"));
  f.run();
  REQUIRE(f.faulted(vec::DB));
  CHECK((f.cpu.s.dr[6] & dr6::B_ALL) == 8);
  CHECK(f.cpu.s.r[EBX] != 1);
  CHECK(f.peek<uint8_t>(f.cpu.s.eip) == 0xBB);

  F g;  // CR4.DE = 0: R/W = 10 is no breakpoint
  g.load_asm(arm(3, 0x80, enable(3, kIo, kLen1), "out 0x80, al\nmov ebx, 1\nhlt"));
  g.run();
  CHECK(g.cpu.halted());
  CHECK(g.cpu.s.r[EBX] == 1);
}

TEST_CASE("debug: general detect makes MOV DRn a #DB fault with BD; delivery clears GD") {
  F f;
  f.load_asm("mov eax, 0x2000\nmov dr7, eax\nmov eax, dr0\nhlt");
  f.run();
  REQUIRE(f.faulted(vec::DB));
  CHECK(f.cpu.s.eip == kCode + 8);  // at the second MOV DRn
  CHECK((f.cpu.s.dr[6] & dr6::BD) != 0);

  F g;  // delivered through the IDT: the handler may read DR7 (GD cleared), RF = 1 pushed
  g.with_tss();
  g.deliver_exceptions();
  g.idt_gate(vec::DB, F::kHandlerAddr);
  g.put_asm(F::kHandlerAddr, "mov ebx, dr7\nhlt");
  g.load_asm("mov eax, 0x2000\nmov dr7, eax\nmov eax, dr0\nhlt");
  g.run();
  CHECK(g.cpu.halted());
  CHECK((g.cpu.s.r[EBX] & dr7::GD) == 0);
  CHECK(g.ring0_stack(3) == kCode + 8);            // EIP of the faulting MOV
  CHECK((g.ring0_stack(1) & fl::RF) != 0);         // EFLAGS image
}

TEST_CASE("debug: DR4/DR5 alias DR6/DR7 without CR4.DE and are #UD with it") {
  F f;
  f.load_asm("mov eax, 0x401\nmov dr5, eax\nmov ebx, dr7\nmov ecx, dr4\nhlt");
  f.run();
  CHECK(f.cpu.halted());
  CHECK(f.cpu.s.r[EBX] == 0x401);
  CHECK(f.cpu.s.r[ECX] == f.cpu.s.dr[6]);

  F g;
  g.cpu.s.cr4 |= cr4::DE;
  g.load_asm("mov eax, dr4\nhlt");
  g.run();
  CHECK(g.faulted(vec::UD));
}

TEST_CASE("debug: TF single-steps; a REP string instruction steps one iteration at a time") {
  F f;
  f.load_asm("mov ecx, 3\nmov edi, " + std::to_string(kData) + "\nrep stosb\nhlt");
  f.cpu.s.eflags |= fl::TF;
  f.run();
  REQUIRE(f.faulted(vec::DB));
  CHECK(f.cpu.s.r[ECX] == 3);
  CHECK((f.cpu.s.dr[6] & dr6::BS) != 0);
  f.run();  // mov edi
  f.run();  // first iteration
  REQUIRE(f.faulted(vec::DB));
  CHECK(f.cpu.s.r[ECX] == 2);
  CHECK(f.cpu.s.eip == kCode + 10);
}

TEST_CASE("debug: a fault pushes RF = 1, so an instruction breakpoint on it is not re-taken") {
  F f;
  f.with_tss();
  f.deliver_exceptions();
  f.idt_gate(vec::UD, F::kHandlerAddr);
  f.put_asm(F::kHandlerAddr, "mov ebx, [esp + 8]\nhlt");
  f.load_asm("ud2\nhlt");
  f.run();
  CHECK(f.cpu.halted());
  CHECK((f.cpu.s.r[EBX] & fl::RF) != 0);
  CHECK_FALSE(f.cpu.flag(fl::RF));  // the handler runs with RF = 0
}

TEST_CASE("debug: IRET with RF = 1 in the image skips the breakpoint once; later hits fault") {
  F f;
  f.with_tss();
  f.deliver_exceptions();
  f.idt_gate(vec::DB, F::kHandlerAddr);
  // The handler counts hits in ESI and returns with RF set.
  f.put_asm(F::kHandlerAddr, "inc esi\nor dword [esp + 8], 0x10000\niretd");
  f.load_asm(arm(0, kCode + 0x40, enable(0, kExec, kLen1),
                 "xor esi, esi\nmov ecx, 3\njmp target\ntimes 0x40-($-$$) nop\n"
                 "target: dec ecx\njnz target\nhlt"));
  f.run();
  CHECK(f.cpu.halted());
  CHECK(f.cpu.s.r[ESI] == 3);  // one fault per execution of the breakpointed instruction
}

TEST_CASE("debug: a task switch into a TSS with T = 1 traps with BT; it clears DR7's local enables") {
  F f;
  f.with_tss();
  f.make_tss32(6, F::kTss2Addr);
  const uint32_t t = F::kTss2Addr;
  f.poke<uint32_t>(t + 32, F::kHandlerAddr);  // EIP
  f.poke<uint32_t>(t + 36, fl::FIXED1);       // EFLAGS
  f.poke<uint32_t>(t + 56, 0x38000);          // ESP
  for (unsigned k = 0; k < 6; ++k) f.poke<uint32_t>(t + 72 + 4 * k, F::kData0);
  f.poke<uint32_t>(t + 76, F::kCode0);
  f.poke<uint16_t>(t + 100, 1);  // T
  f.put_asm(F::kHandlerAddr, "mov ebx, 1\nhlt");
  f.cpu.s.dr[0] = 0xFFFFFFF0;   // an instruction breakpoint nowhere near the code
  f.cpu.s.dr[7] = 0x400 | 0x3;  // L0 and G0
  f.cpu.debug_regs_changed();
  f.load_asm("jmp 0x30:0");
  f.run();
  REQUIRE(f.faulted(vec::DB));
  CHECK(f.cpu.s.eip == F::kHandlerAddr);  // before the new task's first instruction
  CHECK(f.cpu.s.r[EBX] != 1);
  CHECK((f.cpu.s.dr[6] & dr6::BT) != 0);
  CHECK(f.cpu.s.dr[7] == (0x400 | 0x2));  // L0 cleared, G0 kept
}

// ---- MOV SS / POP SS hold debug exceptions off for one instruction (SDM vol. 3, 6.8.3) ----------

namespace {

constexpr uint32_t kDbLog = 0x9000;     // return EIPs of the #DBs taken, one dword each
constexpr uint32_t kDr6Log = 0x9100;    // DR6 as each #DB handler found it
constexpr uint32_t kIrqLog = 0x9200;    // kDbLog index (ESI) when each IRQ arrived

// A fixture whose #DB handler logs each trap's return EIP and DR6 (then clears DR6) and counts
// them in ESI; `code` runs at kCode to its HLT. Labels in `code` can be looked up with at().
struct StepLog {
  F f;
  explicit StepLog(const std::string& code) {
    f.with_tss();
    f.deliver_exceptions();
    f.idt_gate(vec::DB, F::kHandlerAddr);
    f.put_asm(F::kHandlerAddr,
              "push eax\nmov eax, [esp + 4]\nmov [" + std::to_string(kDbLog) + " + esi * 4], eax\n"
              "mov eax, dr6\nmov [" + std::to_string(kDr6Log) + " + esi * 4], eax\n"
              "xor eax, eax\nmov dr6, eax\ninc esi\npop eax\niretd");
    f.load_asm("xor esi, esi\n" + code);
  }
  void run() {
    f.run();
    REQUIRE(f.cpu.halted());
  }
  unsigned traps() const { return f.cpu.s.r[ESI]; }
  uint32_t eip(unsigned n) { return f.peek<uint32_t>(kDbLog + 4 * n); }
  uint32_t dr6(unsigned n) { return f.peek<uint32_t>(kDr6Log + 4 * n); }
};

// TF on from the instruction after the POPFD (which is where the first trap is due after).
const std::string kTfOn = "pushfd\nor dword [esp], 0x100\npopfd\n";
const std::string kTfOff = "pushfd\nand dword [esp], ~0x100\npopfd\n";

}  // namespace

TEST_CASE("debug: under TF, MOV SS and POP SS give no #DB; one #DB (BS) follows the next instruction; STI is no such case") {
  for (const char* load : {"mov ss, ax", "pop ss"}) {
    CAPTURE(load);
    // The layout: mov ax, ss (3 bytes, with the o16 prefix in 32-bit code: 66 8C D0); push ss; TF
    // on; the SS load; then `mov ebx, 1` (5 bytes) ending at label a1.
    StepLog t("mov ax, ss\npush ss\n" + kTfOn + std::string(load) +
              "\nmov ebx, 1\na1: nop\na2: " + kTfOff + "hlt");
    t.run();
    // #DBs after: mov ebx (merged with the SS load's), nop, pushfd, and, popfd.
    CHECK(t.traps() == 5);
    const uint32_t after_mov_ebx = t.eip(0);
    CHECK(t.f.peek<uint8_t>(after_mov_ebx) == 0x90);           // a1: the NOP
    CHECK(t.f.peek<uint8_t>(after_mov_ebx - 5) == 0xBB);       // right after MOV EBX, 1
    CHECK(t.eip(1) == after_mov_ebx + 1);
    CHECK((t.dr6(0) & (dr6::BS | dr6::B_ALL)) == dr6::BS);     // one single-step, no breakpoint
  }
  // STI's shadow holds off interrupts only, not the single-step trap.
  StepLog t("cli\n" + kTfOn + "sti\nmov ebx, 1\n" + kTfOff + "hlt");
  t.run();
  CHECK(t.traps() == 5);  // after sti, mov ebx, pushfd, and, popfd
  CHECK(t.f.peek<uint8_t>(t.eip(0)) == 0xBB);  // the first #DB right after STI
}

TEST_CASE("debug: a data breakpoint hit by MOV SS traps after the next instruction") {
  F f;
  f.poke<uint16_t>(kData, F::kData0);
  f.load_asm(arm(0, kData, enable(0, kReadWrite, kLen2),
                 "mov ss, [" + std::to_string(kData) + "]\nmov ebx, 1\nmov ecx, 2\nhlt"));
  f.run();
  REQUIRE(f.faulted(vec::DB));
  CHECK(f.cpu.s.r[EBX] == 1);  // the instruction after MOV SS ran first
  CHECK(f.cpu.s.r[ECX] != 2);
  CHECK(f.peek<uint8_t>(f.cpu.s.eip) == 0xB9);  // the trap is reported before "mov ecx, 2"
  CHECK((f.cpu.s.dr[6] & dr6::B_ALL) == 1);

  // With TF too: still one #DB, reporting both B0 and BS.
  StepLog t("mov eax, " + std::to_string(kData) + "\nmov dr0, eax\nmov eax, " +
            std::to_string(enable(0, kReadWrite, kLen2)) + "\nmov dr7, eax\n" + kTfOn +
            "mov ss, [" + std::to_string(kData) + "]\nmov ebx, 1\n" + kTfOff + "hlt");
  t.f.poke<uint16_t>(kData, F::kData0);
  t.run();
  CHECK(t.traps() == 4);  // after mov ebx (merged), pushfd, and, popfd
  CHECK(t.f.peek<uint8_t>(t.eip(0) - 5) == 0xBB);
  CHECK((t.dr6(0) & (dr6::BS | dr6::B_ALL)) == (dr6::BS | 1));
}

TEST_CASE("debug: no instruction breakpoint on the instruction after MOV SS") {
  F f;
  // The breakpoint is on "target": reached first right after MOV SS, then again by the JNE.
  f.load_asm("mov eax, target\nmov dr0, eax\nmov eax, " + std::to_string(enable(0, kExec, kLen1)) +
             "\nmov dr7, eax\nxor ebx, ebx\nmov ax, ss\nmov ss, ax\n"
             "target: inc ebx\ncmp ebx, 2\njne target\nhlt");
  f.run();
  REQUIRE(f.faulted(vec::DB));
  CHECK(f.cpu.s.r[EBX] == 1);  // the first run of "inc ebx" was not stopped
  CHECK(f.peek<uint8_t>(f.cpu.s.eip) == 0x43);  // the second arrival stops at "inc ebx"
}

TEST_CASE("debug: INT n under TF: no single-step trap for the INT itself, nor one held by MOV SS") {
  StepLog t("mov ax, ss\n" + kTfOn + "nop\nint 0x40\nmov ebx, 1\nmov ss, ax\nint 0x40\nmov ecx, 1\n" +
            kTfOff + "hlt");
  t.f.idt_gate(0x40, F::kHandler2Addr);
  t.f.put_asm(F::kHandler2Addr, "inc edi\niretd");
  t.run();
  CHECK(t.f.cpu.s.r[EDI] == 2);
  // #DBs after: nop, mov ebx (TF back from IRETD), mov ecx, pushfd, and, popfd. None in the
  // handler (after an INT), none after MOV SS.
  CHECK(t.traps() == 6);
  for (unsigned n = 0; n < t.traps(); ++n) {
    CAPTURE(n);
    CHECK(t.eip(n) != F::kHandler2Addr);
    CHECK((t.dr6(n) & (dr6::BS | dr6::B_ALL)) == dr6::BS);
  }
}

TEST_CASE("debug: MOV SS under TF with an interrupt waiting: the #DB after the next instruction, then the IRQ") {
  // The interrupt is requested once MOV SS has run (EIP at "mov ebx, 1"), in its shadow.
  struct IrqAfter : InterruptSource {
    const Cpu* cpu = nullptr;
    uint32_t from_eip = 0;
    mutable bool requested = false;
    bool delivered = false;
    bool intr_pending() const override {
      requested |= cpu->s.eip == from_eip;
      return requested && !delivered;
    }
    uint8_t acknowledge() override { delivered = true; return 0x20; }
  } pic;
  StepLog t("mov ax, ss\nsti\n" + kTfOn + "mov ss, ax\nmov ebx, 1\nnop\n" + kTfOff + "hlt");
  const uint8_t mov_ebx_1[] = {0xBB, 1, 0, 0, 0};
  for (uint32_t a = kCode; a < kCode + 0x40 && !pic.from_eip; ++a) {
    uint8_t b[5];
    t.f.mem.copy_from(a, b, 5);
    if (std::equal(b, b + 5, mov_ebx_1)) pic.from_eip = a;
  }
  REQUIRE(pic.from_eip != 0);
  pic.cpu = &t.f.cpu;
  t.f.cpu.intc = &pic;
  t.f.idt_gate(0x20, F::kHandler2Addr);
  t.f.put_asm(F::kHandler2Addr, "mov [" + std::to_string(kIrqLog) + "], esi\niretd");
  t.f.poke<uint32_t>(kIrqLog, 0xFFFFFFFF);
  t.run();
  REQUIRE(pic.delivered);
  // #DBs after: mov ebx (merged with MOV SS's), nop, pushfd, and, popfd.
  CHECK(t.traps() == 5);
  CHECK(t.eip(0) == pic.from_eip + 5);
  CHECK(t.f.peek<uint32_t>(kIrqLog) == 1);  // the IRQ waited for the #DB after "mov ebx, 1"
}
