// Hardware task switches (JMP, CALL + IRET, INT and exceptions through task gates, 16-bit
// TSS): saved and loaded state, busy bits, NT and back link, CR0.TS, #TS/#GP faults; and the
// TSS I/O permission bitmap.
#include <doctest/doctest.h>
#include "sys_test_util.h"

using namespace bt86;
using F = SysFixture;

namespace {

constexpr uint32_t kTaskStackTop = 0x38000;

// TSS field offsets (32-bit format).
constexpr uint32_t kBackLink = 0, kEip = 32, kEflags = 36, kEax = 40, kEsp = 56, kEs = 72, kCs = 76, kSs = 80;

// Task B: 32-bit TSS at kTss2Addr (selector 0x30) starting at `eip` with flat ring-0 segments.
void make_task_b(F& f, uint32_t eip) {
  f.make_tss32(6, F::kTss2Addr);
  const uint32_t t = F::kTss2Addr;
  f.poke<uint32_t>(t + kEip, eip);
  f.poke<uint32_t>(t + kEflags, fl::FIXED1);
  f.poke<uint32_t>(t + kEax, 0xB0B0B0B0);
  f.poke<uint32_t>(t + kEsp, kTaskStackTop);
  for (unsigned k = 0; k < 6; ++k) f.poke<uint32_t>(t + kEs + 4 * k, F::kData0);
  f.poke<uint32_t>(t + kCs, F::kCode0);
}

uint8_t gdt_type(F& f, uint16_t sel) { return f.peek<uint8_t>(CpuFixture::kGdtAddr + (sel & ~7u) + 5) & 0xF; }

}  // namespace

TEST_CASE("sys/task: JMP to a TSS saves the old task, loads the new one, moves the busy bit") {
  F f;
  f.with_tss();
  make_task_b(f, F::kHandlerAddr);
  f.put_asm(F::kHandlerAddr, "hlt");
  f.cpu.s.r[EAX] = 0xAAAA;
  f.load_asm("jmp 0x30:0");
  f.run();
  CHECK(f.cpu.s.tr.sel == F::kTss2Sel);
  CHECK(f.cpu.s.eip == F::kHandlerAddr + 1);
  CHECK(f.cpu.s.r[EAX] == 0xB0B0B0B0);
  CHECK(f.cpu.s.r[ESP] == kTaskStackTop);
  CHECK((f.cpu.s.cr0 & cr0::TS) != 0);
  CHECK_FALSE(f.cpu.flag(fl::NT));
  CHECK(f.peek<uint32_t>(F::kTssAddr + kEip) == CpuFixture::kCodeAddr + 7);
  CHECK(f.peek<uint32_t>(F::kTssAddr + kEax) == 0xAAAA);
  CHECK(f.peek<uint32_t>(F::kTssAddr + kCs) == F::kCode0);
  CHECK(gdt_type(f, F::kTssSel) == sys_type::TSS32);
  CHECK(gdt_type(f, F::kTss2Sel) == sys_type::TSS32_BUSY);
}

TEST_CASE("sys/task: CALL nests (NT, back link, both busy) and IRET returns") {
  F f;
  f.with_tss();
  make_task_b(f, F::kHandlerAddr);
  f.put_asm(F::kHandlerAddr, "hlt\niretd");
  f.load_asm("call 0x30:0\nhlt");
  f.run();
  CHECK(f.cpu.s.tr.sel == F::kTss2Sel);
  CHECK(f.cpu.flag(fl::NT));
  CHECK(f.peek<uint16_t>(F::kTss2Addr + kBackLink) == F::kTssSel);
  CHECK(gdt_type(f, F::kTssSel) == sys_type::TSS32_BUSY);
  CHECK(gdt_type(f, F::kTss2Sel) == sys_type::TSS32_BUSY);

  f.run();  // IRETD with NT: back to the caller
  CHECK(f.cpu.s.tr.sel == F::kTssSel);
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 8);
  CHECK(f.cpu.s.r[ESP] == F::kRing0StackTop);
  CHECK_FALSE(f.cpu.flag(fl::NT));
  CHECK(gdt_type(f, F::kTssSel) == sys_type::TSS32_BUSY);
  CHECK(gdt_type(f, F::kTss2Sel) == sys_type::TSS32);
  CHECK((f.peek<uint32_t>(F::kTss2Addr + kEflags) & fl::NT) == 0);  // saved without NT
}

TEST_CASE("sys/task: a bad SS in the new task is #TS(sel) in the new task's context") {
  F f;
  f.with_tss();
  make_task_b(f, F::kHandlerAddr);
  f.poke<uint32_t>(F::kTss2Addr + kSs, F::kData3);  // RPL 3 stack for a ring-0 task
  f.load_asm("jmp 0x30:0");
  f.run();
  CHECK(f.faulted_with(vec::TS, F::kData3 & ~3));
  CHECK(f.cpu.s.tr.sel == F::kTss2Sel);
  CHECK(f.cpu.s.eip == F::kHandlerAddr);
  CHECK(f.cpu.s.seg[SS].sel == F::kData3);
}

TEST_CASE("sys/task: JMP to a busy TSS is #GP(sel); a too short TSS is #TS(sel)") {
  F f;
  f.with_tss();
  f.load_asm("jmp 0x28:0");
  f.run();
  CHECK(f.faulted_with(vec::GP, F::kTssSel));

  F g;
  g.with_tss();
  make_task_b(g, F::kHandlerAddr);
  g.make_tss32(6, F::kTss2Addr, 0x50);
  g.load_asm("jmp 0x30:0");
  g.run();
  CHECK(g.faulted_with(vec::TS, F::kTss2Sel));
  CHECK(g.cpu.s.tr.sel == F::kTssSel);
}

TEST_CASE("sys/task: INT through a task gate nests; an exception's error code lands on the new stack") {
  F f;
  f.with_tss();
  make_task_b(f, F::kHandlerAddr);
  f.idt_gate(0x50, 0, sys_type::TASK_GATE, 0, F::kTss2Sel);
  f.put_asm(F::kHandlerAddr, "hlt\niretd");
  f.load_asm("int 0x50\nhlt");
  f.run();
  CHECK(f.cpu.s.tr.sel == F::kTss2Sel);
  CHECK(f.cpu.flag(fl::NT));
  CHECK(f.peek<uint16_t>(F::kTss2Addr + kBackLink) == F::kTssSel);
  f.run();
  CHECK(f.cpu.s.tr.sel == F::kTssSel);
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 3);

  F g;
  g.with_tss();
  g.deliver_exceptions();
  make_task_b(g, F::kHandlerAddr);
  g.idt_gate(vec::GP, 0, sys_type::TASK_GATE, 0, F::kTss2Sel);
  g.put_asm(F::kHandlerAddr, "hlt");
  g.load_asm("mov ax, 0x3F8\nmov ds, ax");
  g.run();
  CHECK(g.cpu.s.tr.sel == F::kTss2Sel);
  CHECK(g.cpu.s.r[ESP] == kTaskStackTop - 4);
  CHECK(g.peek<uint32_t>(kTaskStackTop - 4) == 0x3F8);
  CHECK(g.peek<uint32_t>(F::kTssAddr + kEip) == CpuFixture::kCodeAddr + 4);  // the faulting MOV
}

TEST_CASE("sys/task: JMP to a 16-bit TSS loads 16-bit state") {
  F f;
  f.with_tss();
  const uint32_t t = F::kTss2Addr;
  f.gdt_set(6, t, 0x2B, 0x0081);  // 16-bit available TSS
  f.poke<uint16_t>(t + 16, fl::FIXED1 | fl::CF);                  // FLAGS
  f.poke<uint16_t>(t + 18, 0x1234);                               // AX
  f.poke<uint16_t>(t + 26, 0x7000);                               // SP
  f.poke<uint16_t>(t + 34, F::kData0);                            // ES
  f.poke<uint16_t>(t + 36, F::kCode0);                            // CS
  f.poke<uint16_t>(t + 38, F::kData0);                            // SS
  f.poke<uint16_t>(t + 40, F::kData0);                            // DS
  f.poke<uint16_t>(t + 14, 0x4000);                               // IP
  f.put_asm(0x4000, "hlt");
  f.load_asm("jmp 0x30:0");
  f.run();
  CHECK(f.cpu.s.tr.sel == F::kTss2Sel);
  CHECK(f.cpu.s.eip == 0x4001);
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x1234);
  CHECK(f.cpu.s.r[ESP] == 0x7000);
  CHECK(f.cpu.flag(fl::CF));
  CHECK(gdt_type(f, F::kTss2Sel) == sys_type::TSS16_BUSY);
}

TEST_CASE("sys/io: the TSS I/O bitmap decides port access at CPL > IOPL") {
  F f;
  f.with_tss();
  const uint32_t bitmap = F::kTssAddr + 0x68;
  f.make_tss32(5, F::kTssAddr, 0x68 + 0x2000);  // bitmap for all 64K ports + terminator
  f.load_tr(F::kTssSel);
  for (uint32_t k = 0; k < 0x2001; ++k) f.poke<uint8_t>(bitmap + k, 0xFF);
  f.poke<uint8_t>(bitmap + 0x80 / 8, 0xFE);  // port 0x80 allowed
  f.poke<uint8_t>(bitmap + 0x3F8 / 8, 0x00); // ports 0x3F8-0x3FF allowed

  Cpu& c = f.cpu;
  CHECK_NOTHROW(c.check_io(0x81, 1));  // CPL 0 <= IOPL 0: no bitmap check
  f.enter_ring3(F::kRing3Code);
  CHECK_NOTHROW(c.check_io(0x80, 1));
  CHECK(faults_with([&] { c.check_io(0x81, 1); }, vec::GP, 0));
  CHECK(faults_with([&] { c.check_io(0x80, 2); }, vec::GP, 0));  // 0x81 denied
  CHECK_NOTHROW(c.check_io(0x3FC, 4));
  CHECK(faults_with([&] { c.check_io(0x3FE, 4); }, vec::GP, 0));  // runs into 0x400
  c.s.eflags |= fl::IOPL;
  CHECK_NOTHROW(c.check_io(0x81, 1));  // CPL 3 <= IOPL 3

  // A bitmap beyond the TSS limit denies everything.
  F g;
  g.with_tss();  // limit 0x67, bitmap offset 0x68
  g.enter_ring3(F::kRing3Code);
  CHECK(faults_with([&] { g.cpu.check_io(0x80, 1); }, vec::GP, 0));
}

TEST_CASE("sys/io: IN at ring 3 through the bitmap") {
  F f;
  f.make_tss32(5, F::kTssAddr, 0x68 + 0x20);
  f.load_tr(F::kTssSel);
  for (uint32_t k = 0; k <= 0x20; ++k) f.poke<uint8_t>(F::kTssAddr + 0x68 + k, 0xFF);
  f.poke<uint8_t>(F::kTssAddr + 0x68 + 0x80 / 8, 0xFE);
  f.put_asm(F::kRing3Code, "in al, 0x80\nin al, 0x81");
  f.enter_ring3(F::kRing3Code);
  f.run();
  CHECK(f.faulted_with(vec::GP, 0));
  CHECK(f.cpu.s.eip == F::kRing3Code + 2);
}

TEST_CASE("sys/task: CALL through a GDT task gate; the new task's LDT and CR3 are loaded") {
  F f;
  f.with_tss();
  make_task_b(f, F::kHandlerAddr);
  f.gdt_gate(F::kFreeSlot, F::kTss2Sel, 0, sys_type::TASK_GATE, 0);  // selector 0x40
  f.gdt_set(F::kFreeSlot + 1, 0x9000, 0x0F, 0x0082);                 // LDT, selector 0x48
  f.poke<uint32_t>(F::kTss2Addr + 96, 0x48);
  // Both tasks run with paging on the same identity map; B names another directory copy.
  const uint32_t dir_a = 0x60000, dir_b = 0x61000;
  f.poke<uint32_t>(dir_a, 0x83);  // 4 MiB identity page
  f.poke<uint32_t>(dir_b, 0x83);
  f.poke<uint32_t>(F::kTss2Addr + 28, dir_b);
  f.cpu.s.cr3 = dir_a;
  f.cpu.s.cr4 = cr4::PSE;
  f.cpu.s.cr0 |= cr0::PG;
  f.cpu.flush_tlb();
  f.put_asm(F::kHandlerAddr, "hlt");
  f.load_asm("call 0x40:0");
  f.run();
  CHECK(f.cpu.s.tr.sel == F::kTss2Sel);
  CHECK(f.cpu.s.eip == F::kHandlerAddr + 1);
  CHECK(f.cpu.s.ldtr.sel == 0x48);
  CHECK(f.cpu.s.ldtr.base == 0x9000);
  CHECK(f.cpu.s.cr3 == dir_b);
  CHECK(f.peek<uint16_t>(F::kTss2Addr + kBackLink) == F::kTssSel);
}
