// Interrupt and exception delivery: real-mode IVT, IDT interrupt/trap gates at the same and at a
// more privileged ring (stack switch from the TSS), gate DPL checks for INT n, error codes with
// the IDT/EXT bits, double fault and triple fault.
#include <doctest/doctest.h>
#include "sys_test_util.h"

using namespace bt86;
using F = SysFixture;

TEST_CASE("sys/int: real-mode INT n goes through the IVT and pushes FLAGS CS IP") {
  CpuFixture f(/*protected32=*/false);
  f.poke<uint16_t>(0x21 * 4, 0x0200);      // IP
  f.poke<uint16_t>(0x21 * 4 + 2, 0x0300);  // CS -> linear 0x3200
  f.poke<uint8_t>(0x3200, 0xF4);           // hlt
  f.cpu.s.eflags |= fl::IF;
  f.load_asm("int 0x21\nhlt");
  f.run();
  CHECK(f.cpu.s.seg[CS].sel == 0x0300);
  CHECK(f.cpu.s.seg[CS].base == 0x3000);
  CHECK(f.cpu.s.eip == 0x0201);
  CHECK_FALSE(f.cpu.flag(fl::IF));
  CHECK(f.cpu.s.r[ESP] == CpuFixture::kStackTop - 6);
  CHECK(f.peek<uint16_t>(CpuFixture::kStackTop - 6) == CpuFixture::kCodeAddr + 2);  // return IP
  CHECK(f.peek<uint16_t>(CpuFixture::kStackTop - 4) == 0);                           // CS
  CHECK((f.peek<uint16_t>(CpuFixture::kStackTop - 2) & fl::IF) != 0);                       // old FLAGS
}

TEST_CASE("sys/int: interrupt gate clears IF, trap gate keeps it (same ring)") {
  for (uint8_t type : {sys_type::INT_GATE32, sys_type::TRAP_GATE32}) {
    F f;
    f.idt_gate(0x40, F::kHandlerAddr, type);
    f.put_asm(F::kHandlerAddr, "hlt");
    f.cpu.s.eflags |= fl::IF;
    f.load_asm("int 0x40\nhlt");
    f.run();
    CHECK(f.cpu.s.eip == F::kHandlerAddr + 1);
    CHECK(f.cpu.flag(fl::IF) == (type == sys_type::TRAP_GATE32));
    CHECK(f.cpu.s.r[ESP] == F::kRing0StackTop - 12);
    CHECK(f.ring0_stack(3) == F::kCodeAddr + 2);  // EIP after INT
    CHECK(f.ring0_stack(2) == F::kCode0);
    CHECK((f.ring0_stack(1) & fl::IF) != 0);
  }
}

TEST_CASE("sys/int: INT 0x80 from ring 3 switches to the TSS ring-0 stack, IRETD returns") {
  F f;
  f.with_tss();
  f.idt_gate(0x80, F::kHandlerAddr, sys_type::INT_GATE32, 3);
  f.put_asm(F::kHandlerAddr, "hlt\niretd");
  f.put_asm(F::kRing3Code, "int 0x80\nhlt");
  f.enter_ring3(F::kRing3Code);
  f.cpu.s.eflags |= fl::IF;
  f.run();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.cpl == 0);
  CHECK(f.cpu.s.seg[CS].sel == F::kCode0);
  CHECK(f.cpu.s.seg[SS].sel == F::kData0);
  CHECK(f.cpu.s.r[ESP] == F::kRing0StackTop - 20);
  CHECK(f.ring0_stack(1) == F::kData3);            // old SS
  CHECK(f.ring0_stack(2) == F::kRing3StackTop);    // old ESP
  CHECK((f.ring0_stack(3) & fl::IF) != 0);                // old EFLAGS
  CHECK(f.ring0_stack(4) == F::kCode3);            // old CS
  CHECK(f.ring0_stack(5) == F::kRing3Code + 2);    // return EIP
  CHECK_FALSE(f.cpu.flag(fl::IF));

  f.run();  // IRETD back to ring 3, where HLT faults
  CHECK(f.faulted_with(vec::GP, 0));
  CHECK(f.cpu.s.cpl == 3);
  CHECK(f.cpu.s.eip == F::kRing3Code + 2);
  CHECK(f.cpu.s.seg[SS].sel == F::kData3);
  CHECK(f.cpu.s.r[ESP] == F::kRing3StackTop);
  CHECK(f.cpu.flag(fl::IF));
}

TEST_CASE("sys/int: INT n through a DPL 0 gate from ring 3 is #GP(vector*8+2), no state change") {
  F f;
  f.with_tss();
  f.idt_gate(0x80, F::kHandlerAddr, sys_type::INT_GATE32, 0);
  f.put_asm(F::kRing3Code, "int 0x80");
  f.enter_ring3(F::kRing3Code);
  f.run();
  CHECK(f.faulted_with(vec::GP, 0x80 * 8 + 2));
  CHECK(f.cpu.s.eip == F::kRing3Code);
  CHECK(f.cpu.s.cpl == 3);
  CHECK(f.cpu.s.r[ESP] == F::kRing3StackTop);
}

TEST_CASE("sys/int: gate not present is #NP(vector*8+2); vector beyond the IDT limit is #GP") {
  F f;
  f.idt_gate(0x41, F::kHandlerAddr, sys_type::INT_GATE32, 0, F::kCode0, /*present=*/false);
  f.load_asm("int 0x41");
  f.run();
  CHECK(f.faulted_with(vec::NP, 0x41 * 8 + 2));

  F g;
  g.cpu.s.idtr.limit = 0x40 * 8 - 1;
  g.load_asm("int 0x40");
  g.run();
  CHECK(g.faulted_with(vec::GP, 0x40 * 8 + 2));
}

TEST_CASE("sys/int: exceptions push error codes; INT3 and INTO are traps") {
  F f;
  f.deliver_exceptions();
  f.idt_gate(vec::GP, F::kHandlerAddr);
  f.idt_gate(vec::BP, F::kHandler2Addr);
  f.put_asm(F::kHandlerAddr, "hlt");
  f.put_asm(F::kHandler2Addr, "hlt");
  f.cpu.s.r[EAX] = 0x4B;  // a selector far beyond the GDT limit
  f.load_asm("lldt ax");
  f.run();
  CHECK(f.cpu.s.eip == F::kHandlerAddr + 1);
  CHECK(f.ring0_stack(4) == 0x48);            // error code: selector without RPL
  CHECK(f.ring0_stack(3) == F::kCodeAddr);    // faulting instruction

  F g;
  g.idt_gate(vec::BP, F::kHandlerAddr);
  g.idt_gate(vec::OF, F::kHandler2Addr);
  g.put_asm(F::kHandlerAddr, "hlt\niretd");
  g.put_asm(F::kHandler2Addr, "hlt");
  g.cpu.s.eflags |= fl::OF;
  g.load_asm("int3\ninto\nhlt");
  g.run();
  CHECK(g.cpu.s.eip == F::kHandlerAddr + 1);
  CHECK(g.ring0_stack(3) == F::kCodeAddr + 1);  // after INT3
  g.run();
  CHECK(g.cpu.s.eip == F::kHandler2Addr + 1);
  CHECK(g.ring0_stack(3) == F::kCodeAddr + 2);  // after INTO
}

TEST_CASE("sys/int: an external interrupt hitting a missing gate gets #NP with IDT and EXT bits") {
  F f;
  f.deliver_exceptions();
  f.idt_gate(vec::NP, F::kHandlerAddr);
  f.idt_gate(0x30, F::kHandler2Addr, sys_type::INT_GATE32, 0, F::kCode0, /*present=*/false);
  f.put_asm(F::kHandlerAddr, "hlt");
  f.cpu.s.eip = F::kCodeAddr;
  f.cpu.deliver(0x30, IntKind::External, kNoErrorCode, f.cpu.s.eip);
  CHECK(f.cpu.s.eip == F::kHandlerAddr);
  CHECK(f.ring0_stack(4) == 0x30 * 8 + 2 + 1);
  CHECK(f.ring0_stack(3) == F::kCodeAddr);
}

TEST_CASE("sys/int: #NP while delivering #GP becomes #DF; a fault delivering #DF shuts down") {
  F f;
  f.with_tss();
  f.deliver_exceptions();
  f.idt_gate(vec::GP, F::kHandlerAddr, sys_type::INT_GATE32, 0, F::kCode0, /*present=*/false);
  f.idt_gate(vec::DF, F::kHandler2Addr);
  f.put_asm(F::kHandler2Addr, "hlt");
  f.put_asm(F::kRing3Code, "hlt");  // #GP(0) at ring 3
  f.enter_ring3(F::kRing3Code);
  f.run();
  CHECK(f.cpu.s.eip == F::kHandler2Addr + 1);
  CHECK(f.cpu.s.cpl == 0);
  CHECK(f.ring0_stack(6) == 0);                 // #DF error code
  CHECK(f.ring0_stack(5) == F::kRing3Code);     // the instruction that faulted first
  CHECK_FALSE(f.cpu.shutdown());

  F g;
  g.deliver_exceptions();
  g.idt_gate(vec::GP, F::kHandlerAddr, sys_type::INT_GATE32, 0, F::kCode0, /*present=*/false);
  g.idt_gate(vec::DF, F::kHandler2Addr, sys_type::INT_GATE32, 0, F::kCode0, /*present=*/false);
  g.load_asm("ltr ax");  // null selector: #GP(0)
  g.engine.run(1000);
  CHECK(g.cpu.shutdown());
}

TEST_CASE("sys/int: #PF reading the IDT for #PF escalates to #DF, whose #PF shuts down") {
  F f;
  f.deliver_exceptions();
  // Identity-map the first 4 MiB with one PSE page, then unmap the IDT's page via a 4 KiB table.
  const uint32_t dir = 0x60000, table = 0x61000;
  for (uint32_t k = 0; k < 1024; ++k) f.poke<uint32_t>(table + 4 * k, (k << 12) | 3);
  f.poke<uint32_t>(table + (F::kIdtAddr >> 12) * 4, 0);  // IDT page not present
  f.poke<uint32_t>(dir, table | 3);
  f.cpu.s.cr3 = dir;
  f.cpu.s.cr0 |= cr0::PG;
  f.cpu.flush_tlb();
  f.cpu.deliver(vec::PF, IntKind::Exception, 0, F::kCodeAddr);
  // #PF reading the IDT while delivering #PF -> #DF, whose gate is on the same missing page.
  CHECK(f.cpu.s.cr2 == F::kIdtAddr + vec::DF * 8);
  CHECK(f.cpu.shutdown());
}

TEST_CASE("sys/int: a 16-bit interrupt gate pushes a 16-bit frame") {
  F f;
  f.idt_gate(0x42, 0xFFFF4000u, sys_type::INT_GATE16);  // offset's upper half is ignored
  f.put_asm(0x4000, "hlt");
  f.load_asm("int 0x42\nhlt");
  f.run();
  CHECK(f.cpu.s.eip == 0x4001);
  CHECK(f.cpu.s.r[ESP] == F::kRing0StackTop - 6);
  CHECK(f.peek<uint16_t>(F::kRing0StackTop - 6) == CpuFixture::kCodeAddr + 2);
  CHECK(f.peek<uint16_t>(F::kRing0StackTop - 4) == F::kCode0);
}

TEST_CASE("sys/int: a bad ring-0 stack in the TSS is #TS(SS) or #SS(SS), before any change") {
  F f;
  f.with_tss();
  f.poke<uint16_t>(F::kTssAddr + 8, F::kData3);  // SS0 with RPL/DPL 3
  f.idt_gate(0x80, F::kHandlerAddr, sys_type::INT_GATE32, 3);
  f.put_asm(F::kRing3Code, "int 0x80");
  f.enter_ring3(F::kRing3Code);
  f.run();
  CHECK(f.faulted_with(vec::TS, F::kData3 & ~3));
  CHECK(f.cpu.s.cpl == 3);

  F g;
  g.with_tss();
  g.gdt_set(F::kFreeSlot, 0, 0xFFFFF, 0xC013);  // not-present ring-0 data
  g.poke<uint16_t>(F::kTssAddr + 8, 0x40);
  g.idt_gate(0x80, F::kHandlerAddr, sys_type::INT_GATE32, 3);
  g.put_asm(F::kRing3Code, "int 0x80");
  g.enter_ring3(F::kRing3Code);
  g.run();
  CHECK(g.faulted_with(vec::SS, 0x40));

  F h;  // a TSS too short to hold SS0:ESP0
  h.make_tss32(5, F::kTssAddr, 0x07);
  h.load_tr(F::kTssSel);
  h.idt_gate(0x80, F::kHandlerAddr, sys_type::INT_GATE32, 3);
  h.put_asm(F::kRing3Code, "int 0x80");
  h.enter_ring3(F::kRing3Code);
  h.run();
  CHECK(h.faulted_with(vec::TS, F::kTssSel));
}

TEST_CASE("sys/int: a ring-0 stack too small for the frame is #SS") {
  F f;
  f.with_tss();
  f.gdt_set(F::kFreeSlot, 0x20000, 0x0000F, 0x4097);  // expand-down: valid offsets 0x10..
  f.poke<uint16_t>(F::kTssAddr + 8, 0x40);
  f.poke<uint32_t>(F::kTssAddr + 4, 0x20);            // only 16 bytes of room
  f.idt_gate(0x80, F::kHandlerAddr, sys_type::INT_GATE32, 3);
  f.put_asm(F::kRing3Code, "int 0x80");
  f.enter_ring3(F::kRing3Code);
  f.run();
  CHECK(f.faulted_with(vec::SS, 0x40));
  CHECK(f.cpu.s.cpl == 3);
  CHECK(f.cpu.s.r[ESP] == F::kRing3StackTop);
}
