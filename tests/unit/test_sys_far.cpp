// Far control transfers: direct far JMP/CALL/RET, call gates (same ring and to ring 0 with stack
// switch and parameter copy), RET/IRET to an outer ring (stack switch back, data segments
// nulled), privilege faults, and real-mode far transfers.
#include <doctest/doctest.h>
#include "sys_test_util.h"

using namespace bt86;
using F = SysFixture;

namespace {
constexpr unsigned kGateSlot = F::kFreeSlot;  // selector 0x40
}

TEST_CASE("sys/far: direct far JMP and far CALL/RETF at ring 0") {
  F f;
  f.put_asm(F::kHandlerAddr, "hlt\nretf");
  f.load_asm("call 0x08:0x40000\nhlt");
  f.run();
  CHECK(f.cpu.s.eip == F::kHandlerAddr + 1);
  CHECK(f.cpu.s.r[ESP] == F::kRing0StackTop - 8);
  CHECK(f.ring0_stack(1) == F::kCode0);
  CHECK(f.ring0_stack(2) == F::kCodeAddr + 7);
  f.run();  // RETF
  CHECK(f.cpu.s.eip == F::kCodeAddr + 8);
  CHECK(f.cpu.s.r[ESP] == F::kRing0StackTop);

  F g;
  g.put_asm(F::kHandlerAddr, "hlt");
  g.load_asm("jmp 0x08:0x40000");
  g.run();
  CHECK(g.cpu.s.eip == F::kHandlerAddr + 1);
  CHECK(g.cpu.s.r[ESP] == F::kRing0StackTop);
}

TEST_CASE("sys/far: CALL through a call gate to ring 0 copies parameters; RETF 8 returns to ring 3") {
  F f;
  f.with_tss();
  f.gdt_gate(kGateSlot, F::kCode0, F::kHandlerAddr, sys_type::CALL_GATE32, 3, /*params=*/2);
  f.put_asm(F::kHandlerAddr, "hlt\nretf 8");
  f.put_asm(F::kRing3Code, "call 0x43:0\nhlt");
  f.poke<uint32_t>(F::kRing3StackTop - 8, 0x11111111);  // parameter at [esp]
  f.poke<uint32_t>(F::kRing3StackTop - 4, 0x22222222);  // parameter at [esp+4]
  f.enter_ring3(F::kRing3Code, F::kRing3StackTop - 8);
  f.run();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.cpl == 0);
  CHECK(f.cpu.s.seg[CS].sel == F::kCode0);
  CHECK(f.cpu.s.seg[SS].sel == F::kData0);
  CHECK(f.cpu.s.r[ESP] == F::kRing0StackTop - 24);
  CHECK(f.ring0_stack(1) == F::kData3);
  CHECK(f.ring0_stack(2) == F::kRing3StackTop - 8);
  CHECK(f.ring0_stack(3) == 0x22222222);
  CHECK(f.ring0_stack(4) == 0x11111111);
  CHECK(f.ring0_stack(5) == F::kCode3);
  CHECK(f.ring0_stack(6) == F::kRing3Code + 7);

  f.cpu.set_seg(DS, Segment{F::kData0, 0, 0xFFFFFFFF, F::kFlat | 0x9300});  // ring-0 data in DS
  f.run();  // RETF 8 back to ring 3, where HLT faults
  CHECK(f.faulted_with(vec::GP, 0));
  CHECK(f.cpu.s.cpl == 3);
  CHECK(f.cpu.s.eip == F::kRing3Code + 7);
  CHECK(f.cpu.s.seg[CS].sel == F::kCode3);
  CHECK(f.cpu.s.seg[SS].sel == F::kData3);
  CHECK(f.cpu.s.r[ESP] == F::kRing3StackTop);  // parameters released
  CHECK(f.cpu.s.seg[DS].sel == 0);              // ring-0 data segment dropped
  CHECK(f.cpu.s.seg[ES].sel == F::kData3);      // ring-3 data kept
}

TEST_CASE("sys/far: JMP through a call gate at the same privilege; gate privilege faults") {
  F f;
  f.gdt_gate(kGateSlot, F::kCode0, F::kHandlerAddr, sys_type::CALL_GATE32, 0);
  f.put_asm(F::kHandlerAddr, "hlt");
  f.load_asm("jmp 0x40:0");
  f.run();
  CHECK(f.cpu.s.eip == F::kHandlerAddr + 1);
  CHECK(f.cpu.s.cpl == 0);

  // Gate DPL 0 from ring 3: #GP(gate selector).
  F g;
  g.with_tss();
  g.gdt_gate(kGateSlot, F::kCode0, F::kHandlerAddr, sys_type::CALL_GATE32, 0);
  g.put_asm(F::kRing3Code, "call 0x43:0");
  g.enter_ring3(F::kRing3Code);
  g.run();
  CHECK(g.faulted_with(vec::GP, 0x40));
  CHECK(g.cpu.s.cpl == 3);

  // JMP through a DPL-3 gate to a ring-0 non-conforming segment cannot change privilege.
  F h;
  h.with_tss();
  h.gdt_gate(kGateSlot, F::kCode0, F::kHandlerAddr, sys_type::CALL_GATE32, 3);
  h.put_asm(F::kRing3Code, "jmp 0x43:0");
  h.enter_ring3(F::kRing3Code);
  h.run();
  CHECK(h.faulted_with(vec::GP, F::kCode0));
}

TEST_CASE("sys/far: direct far transfers check privilege, type and presence") {
  // Ring 3 to a ring-0 non-conforming code segment: #GP(sel).
  F f;
  f.put_asm(F::kRing3Code, "jmp 0x08:0x40000");
  f.enter_ring3(F::kRing3Code);
  f.run();
  CHECK(f.faulted_with(vec::GP, 0x08));

  // To a data segment: #GP(sel); to a not-present code segment: #NP(sel); null: #GP(0).
  F g;
  g.gdt_set(F::kFreeSlot, 0, 0xFFFFF, 0xC01B);  // present bit clear
  g.load_asm("jmp 0x10:0");
  g.run();
  CHECK(g.faulted_with(vec::GP, 0x10));
  g.load_asm("jmp 0x40:0", 0x1100);  // fresh addresses: the block cache keeps decoded code
  g.run();
  CHECK(g.faulted_with(vec::NP, 0x40));
  g.load_asm("jmp 0:0", 0x1200);
  g.run();
  CHECK(g.faulted_with(vec::GP, 0));

  // Target offset beyond the code segment limit: #GP(0).
  F h;
  h.gdt_set(F::kFreeSlot, 0, 0xFFFF, 0x409B);  // 64 KiB code segment
  h.load_asm("jmp 0x40:0x10000");
  h.run();
  CHECK(h.faulted_with(vec::GP, 0));

  // Ring 3 to a conforming ring-0 segment: allowed, CPL stays 3.
  F c;
  c.gdt_set(F::kFreeSlot, 0, 0xFFFFF, 0xC09F);  // conforming code, DPL 0
  c.put_asm(F::kHandlerAddr, "hlt");
  c.put_asm(F::kRing3Code, "jmp 0x43:0x40000");
  c.enter_ring3(F::kRing3Code);
  c.run();
  CHECK(c.faulted_with(vec::GP, 0));  // HLT at CPL 3
  CHECK(c.cpu.s.eip == F::kHandlerAddr);
  CHECK(c.cpu.s.cpl == 3);
  CHECK(c.cpu.s.seg[CS].sel == 0x43);
}

TEST_CASE("sys/far: RETF to a more privileged ring is #GP(sel)") {
  F f;
  f.put_asm(F::kRing3Code, "retf");
  f.enter_ring3(F::kRing3Code, F::kRing3StackTop - 8);
  f.poke<uint32_t>(F::kRing3StackTop - 8, F::kHandlerAddr);
  f.poke<uint32_t>(F::kRing3StackTop - 4, F::kCode0);
  f.run();
  CHECK(f.faulted_with(vec::GP, F::kCode0));
  CHECK(f.cpu.s.r[ESP] == F::kRing3StackTop - 8);
}

TEST_CASE("sys/far: IRETD from ring 0 to ring 3 applies the EFLAGS rules of the old CPL") {
  F f;
  f.put_asm(F::kRing3Code, "hlt");
  const uint32_t frame = F::kRing0StackTop - 20;
  f.poke<uint32_t>(frame, F::kRing3Code);
  f.poke<uint32_t>(frame + 4, F::kCode3);
  f.poke<uint32_t>(frame + 8, fl::FIXED1 | fl::IF | fl::IOPL | fl::CF);
  f.poke<uint32_t>(frame + 12, F::kRing3StackTop - 16);
  f.poke<uint32_t>(frame + 16, F::kData3);
  f.cpu.s.r[ESP] = frame;
  f.load_asm("iretd");
  f.run();
  CHECK(f.faulted_with(vec::GP, 0));  // HLT at ring 3
  CHECK(f.cpu.s.cpl == 3);
  CHECK(f.cpu.s.eip == F::kRing3Code);
  CHECK(f.cpu.s.r[ESP] == F::kRing3StackTop - 16);
  CHECK(f.cpu.s.iopl() == 3);  // changed: the IRET ran at CPL 0
  CHECK(f.cpu.flag(fl::IF));
  CHECK(f.cpu.flag(fl::CF));

  // Back at ring 3 with IOPL 0, an IRETD to ring 3 can change neither IOPL nor IF.
  F g;
  g.put_asm(F::kRing3Code + 0x100, "hlt");
  g.put_asm(F::kRing3Code, "iretd");
  g.enter_ring3(F::kRing3Code, F::kRing3StackTop - 12);
  g.poke<uint32_t>(F::kRing3StackTop - 12, F::kRing3Code + 0x100);
  g.poke<uint32_t>(F::kRing3StackTop - 8, F::kCode3);
  g.poke<uint32_t>(F::kRing3StackTop - 4, fl::FIXED1 | fl::IF | fl::IOPL | fl::ZF);
  g.run();
  CHECK(g.faulted_with(vec::GP, 0));
  CHECK(g.cpu.s.eip == F::kRing3Code + 0x100);
  CHECK(g.cpu.s.iopl() == 0);
  CHECK_FALSE(g.cpu.flag(fl::IF));
  CHECK(g.cpu.flag(fl::ZF));
}

TEST_CASE("sys/far: real-mode far CALL and RETF use segment << 4") {
  CpuFixture f(/*protected32=*/false);
  f.poke<uint8_t>(0x23456, 0xF4);       // hlt at 2345:0006
  f.poke<uint8_t>(0x23457, 0xCB);       // retf
  f.load_asm("call 0x2345:0x0006\nhlt");
  f.run();
  CHECK(f.cpu.s.seg[CS].sel == 0x2345);
  CHECK(f.cpu.s.seg[CS].base == 0x23450);
  CHECK(f.cpu.s.eip == 0x0007);
  CHECK(f.peek<uint16_t>(CpuFixture::kStackTop - 2) == 0);  // CS
  CHECK(f.peek<uint16_t>(CpuFixture::kStackTop - 4) == CpuFixture::kCodeAddr + 5);
  f.run();
  CHECK(f.cpu.s.seg[CS].sel == 0);
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 6);
  CHECK(f.cpu.s.r[ESP] == CpuFixture::kStackTop);
}
