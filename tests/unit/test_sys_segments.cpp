// Segment-register loads in protected mode (null selectors, table limits, type and privilege
// rules, presence, accessed bit) through MOV/POP Sreg, LDS/LSS and the descriptors API; real-mode
// loads; the descriptor probes LAR, LSL, VERR, VERW and ARPL.
#include <doctest/doctest.h>
#include "sys_test_util.h"

using namespace bt86;
using F = SysFixture;

namespace {
// Extra GDT slots used below.
constexpr unsigned kNotPresentData = 8;   // 0x40
constexpr unsigned kRing3Stack = 9;       // 0x48 (data, DPL 3)
constexpr unsigned kExecOnlyCode = 10;    // 0x50
constexpr unsigned kReadableCode = 11;    // 0x58
constexpr unsigned kNotPresentStack = 12; // 0x60
constexpr unsigned kReadOnlyData = 13;    // 0x68

void add_test_segments(F& f) {
  f.gdt_set(kNotPresentData, 0, 0xFFFFF, 0xC013);
  f.gdt_set(kRing3Stack, 0x100000, 0xFFFF, 0x00F3);  // 16-bit stack
  f.gdt_set(kExecOnlyCode, 0, 0xFFFFF, 0xC099);
  f.gdt_set(kReadableCode, 0x2000, 0xFFFFF, 0xC09B);
  f.gdt_set(kNotPresentStack, 0, 0xFFFFF, 0xC013);
  f.gdt_set(kReadOnlyData, 0, 0xFFFFF, 0xC091);
}
}  // namespace

TEST_CASE("sys/seg: MOV DS loads the descriptor cache and sets the accessed bit") {
  F f;
  f.gdt_set(F::kFreeSlot, 0x123000, 0x00FFF, 0x4092);  // byte-granular, accessed bit clear
  f.load_asm("mov ax, 0x40\nmov ds, ax\nhlt");
  f.run();
  const Segment& ds = f.cpu.s.seg[DS];
  CHECK(ds.sel == 0x40);
  CHECK(ds.base == 0x123000);
  CHECK(ds.limit == 0xFFF);
  CHECK(ds.attr == 0x00409300);
  CHECK((f.peek<uint8_t>(CpuFixture::kGdtAddr + 0x40 + 5) & 1) == 1);
}

TEST_CASE("sys/seg: page-granular limits expand to byte limits") {
  F f;
  f.gdt_set(F::kFreeSlot, 0, 0x0000F, 0xC093);
  load_segment(f.cpu, ES, 0x40);
  CHECK(f.cpu.s.seg[ES].limit == 0xFFFF);
}

TEST_CASE("sys/seg: selector faults carry the selector (RPL cleared) as error code") {
  F f;
  add_test_segments(f);
  auto load = [&](unsigned idx, uint16_t sel) { return [&f, idx, sel] { load_segment(f.cpu, idx, sel); }; };
  CHECK(faults_with(load(DS, 0x100 | 3), vec::GP, 0x100));  // beyond the GDT limit
  CHECK(faults_with(load(DS, 0x0C), vec::GP, 0x08 | 4));    // LDT selector without an LDT
  CHECK(faults_with(load(DS, 0x40), vec::NP, 0x40));         // not present
  CHECK(faults_with(load(DS, 0x50), vec::GP, 0x50));         // execute-only code
  CHECK_NOTHROW(load_segment(f.cpu, DS, 0x58));               // readable code is fine
  CHECK(f.cpu.s.seg[DS].base == 0x2000);
  CHECK(faults_with(load(SS, 0), vec::GP, 0));               // null SS
  CHECK(faults_with(load(SS, 0x58), vec::GP, 0x58));         // code as stack
  CHECK(faults_with(load(SS, 0x68), vec::GP, 0x68));         // read-only stack
  CHECK(faults_with(load(SS, 0x48 | 3), vec::GP, 0x48));     // RPL 3 at CPL 0
  CHECK(faults_with(load(SS, 0x60), vec::SS, 0x60));         // stack not present: #SS
  CHECK_NOTHROW(load_segment(f.cpu, DS, 0));                  // null DS is allowed...
  CHECK(faults_with([&] { f.cpu.read<uint8_t>(DS, 0); }, vec::GP, 0));  // ...but unusable
}

TEST_CASE("sys/seg: privilege rules at ring 3 and with RPL") {
  F f;
  add_test_segments(f);
  CHECK(faults_with([&] { load_segment(f.cpu, DS, F::kData0 | 3); }, vec::GP, F::kData0));  // RPL > DPL
  f.enter_ring3(F::kRing3Code);
  CHECK(faults_with([&] { load_segment(f.cpu, ES, F::kData0); }, vec::GP, F::kData0));  // DPL < CPL
  CHECK(faults_with([&] { load_segment(f.cpu, SS, F::kData0); }, vec::GP, F::kData0));
  CHECK_NOTHROW(load_segment(f.cpu, SS, 0x48 | 3));
  CHECK(f.cpu.s.seg[SS].base == 0x100000);
  CHECK_FALSE(f.cpu.s.stack32());
}

TEST_CASE("sys/seg: a faulting MOV SS leaves state at the instruction") {
  F f;
  f.load_asm("mov ax, 0x10\nmov ax, 0x23\nmov ss, ax");
  f.run();
  CHECK(f.faulted_with(vec::GP, 0x20));
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 8);
  CHECK(f.cpu.s.seg[SS].sel == F::kData0);
}

TEST_CASE("sys/seg: PUSH/POP Sreg round trip; POP DS with a bad selector faults before ESP moves") {
  F f;
  f.gdt_set(F::kFreeSlot, 0x5000, 0xFFFFF, 0xC093);
  f.load_asm("push dword 0x40\npop es\npush fs\nhlt");
  f.run();
  CHECK(f.cpu.s.seg[ES].sel == 0x40);
  CHECK(f.cpu.s.seg[ES].base == 0x5000);
  CHECK(f.cpu.s.r[ESP] == F::kRing0StackTop - 4);
  CHECK(f.peek<uint16_t>(F::kRing0StackTop - 4) == F::kData0);

  F g;
  g.load_asm("push dword 0x7F8\npop ds");
  g.run();
  CHECK(g.faulted_with(vec::GP, 0x7F8));
  CHECK(g.cpu.s.r[ESP] == F::kRing0StackTop - 4);
}

TEST_CASE("sys/seg: LDS and LSS load a far pointer") {
  F f;
  f.gdt_set(F::kFreeSlot, 0x7000, 0xFFFFF, 0xC093);
  f.poke<uint32_t>(CpuFixture::kDataAddr, 0xDEADBEEF);
  f.poke<uint16_t>(CpuFixture::kDataAddr + 4, 0x40);
  f.load_asm("lds esi, [0x8000]\nhlt");
  f.run();
  CHECK(f.cpu.s.r[ESI] == 0xDEADBEEF);
  CHECK(f.cpu.s.seg[DS].sel == 0x40);
  CHECK(f.cpu.s.seg[DS].base == 0x7000);

  F g;
  g.poke<uint32_t>(CpuFixture::kDataAddr, 0x1234);
  g.poke<uint16_t>(CpuFixture::kDataAddr + 4, 0x40);  // not present
  g.gdt_set(F::kFreeSlot, 0, 0xFFFFF, 0xC013);
  g.cpu.s.r[EDI] = 0x55;
  g.load_asm("lss edi, [0x8000]");
  g.run();
  CHECK(g.faulted_with(vec::SS, 0x40));
  CHECK(g.cpu.s.r[EDI] == 0x55);
}

TEST_CASE("sys/seg: real mode loads set base = selector << 4") {
  CpuFixture f(/*protected32=*/false);
  f.load_asm("mov ax, 0x1234\nmov es, ax\nmov ss, ax\nhlt");
  f.run();
  CHECK(f.cpu.s.seg[ES].base == 0x12340);
  CHECK(f.cpu.s.seg[SS].sel == 0x1234);
  CHECK(f.cpu.s.seg[SS].base == 0x12340);
}

TEST_CASE("sys/seg: LAR and LSL report access rights and limits of visible descriptors") {
  F f;
  add_test_segments(f);
  f.with_tss();
  f.cpu.s.r[ECX] = 0x58;
  f.load_asm("lar eax, ecx\nlsl ebx, ecx\nhlt");
  f.run();
  CHECK(f.cpu.flag(fl::ZF));
  CHECK(f.cpu.s.r[EAX] == 0x00C09B00);
  CHECK(f.cpu.s.r[EBX] == 0xFFFFFFFF);

  F g;
  g.with_tss();
  g.cpu.s.r[ECX] = F::kTssSel;
  g.load_asm("lsl eax, ecx\nlar ebx, ecx\nhlt");
  g.run();
  CHECK(g.cpu.flag(fl::ZF));
  CHECK(g.cpu.s.r[EAX] == 0x67);
  CHECK(g.cpu.s.r[EBX] == 0x00008B00);  // busy 32-bit TSS

  // Invisible: beyond the limit, an interrupt gate (LAR), a ring-0 segment from ring 3.
  F h;
  h.gdt_gate(F::kFreeSlot, F::kCode0, 0, sys_type::INT_GATE32, 3);
  h.cpu.s.r[EAX] = 0x77777777;
  h.cpu.s.r[ECX] = 0x40;
  h.cpu.s.r[EDX] = 0x3F8;
  h.cpu.s.r[ESI] = F::kData0;
  h.put_asm(F::kRing3Code, "lar eax, ecx\nsetz bl\nlar eax, edx\nsetz bh\nlsl eax, esi\nsetz cl\nhlt");
  h.enter_ring3(F::kRing3Code);
  h.run();
  CHECK(h.cpu.s.r[EAX] == 0x77777777);
  CHECK((h.cpu.s.r[EBX] & 0xFFFF) == 0);
  CHECK((h.cpu.s.r[ECX] & 0xFF) == 0);
}

TEST_CASE("sys/seg: VERR/VERW") {
  struct Case {
    uint16_t sel;
    bool readable, writable;
  } cases[] = {
      {F::kData0, true, true}, {0x50, false, false}, {0x58, true, false},
      {0x68, true, false},     {0, false, false},    {0x400, false, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.sel);
    F g;
    add_test_segments(g);
    g.cpu.s.r[ECX] = c.sel;
    g.load_asm("verr cx\nsetz al\nverw cx\nsetz ah\nhlt");
    g.run();
    CHECK((g.cpu.s.r[EAX] & 0xFF) == c.readable);
    CHECK(((g.cpu.s.r[EAX] >> 8) & 0xFF) == c.writable);
  }
  // Ring-0 data is neither readable nor writable from ring 3.
  F h;
  h.cpu.s.r[ECX] = F::kData0;
  h.put_asm(F::kRing3Code, "verr cx\nsetz al\nverw cx\nsetz ah\nhlt");
  h.enter_ring3(F::kRing3Code);
  h.run();
  CHECK((h.cpu.s.r[EAX] & 0xFFFF) == 0);
}

TEST_CASE("sys/seg: ARPL raises the destination RPL; LAR in real mode is #UD") {
  F f;
  f.cpu.s.r[EAX] = 0x0010;
  f.cpu.s.r[ECX] = 0x0023;
  f.load_asm("arpl ax, cx\nsetz bl\narpl ax, cx\nsetz bh\nhlt");
  f.run();
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x0013);
  CHECK((f.cpu.s.r[EBX] & 0xFFFF) == 0x0001);

  CpuFixture r(/*protected32=*/false);
  r.load_asm("lar ax, cx");
  r.run();
  CHECK(r.faulted(vec::UD));
}
