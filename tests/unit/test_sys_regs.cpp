// System registers and privileged instructions: CR0/CR3/CR4 writes (reserved bits, PG without
// PE, WP and PSE in effect), debug registers, descriptor-table registers, LTR/STR, LMSW/SMSW/
// CLTS, CPL checks, PUSHF/POPF and CLI/STI under IOPL rules, HLT, UD2.
#include <doctest/doctest.h>
#include "sys_test_util.h"

using namespace bt86;
using F = SysFixture;

TEST_CASE("sys/cr: CR4 accepts PSE/PGE/TSD/DE/OSFXSR and rejects PAE/VME; CR0 rejects PG without PE") {
  F f;
  f.cpu.s.r[EAX] = cr4::PSE | cr4::PGE;
  f.load_asm("mov cr4, eax\nmov ebx, cr4\nhlt");
  f.run();
  CHECK(f.cpu.s.cr4 == (cr4::PSE | cr4::PGE));
  CHECK(f.cpu.s.r[EBX] == (cr4::PSE | cr4::PGE));

  for (uint32_t bad : {cr4::PAE, cr4::VME, cr4::PVI, cr4::MCE}) {
    F g;
    g.cpu.s.r[EAX] = bad;
    g.load_asm("mov cr4, eax");
    g.run();
    CHECK(g.faulted_with(vec::GP, 0));
    CHECK(g.cpu.s.cr4 == 0);
  }

  CpuFixture r(/*protected32=*/false);
  r.cpu.s.r[EAX] = cr0::PG | cr0::ET;
  r.load_asm("mov cr0, eax");
  r.run();
  CHECK(r.faulted(vec::GP));
  CHECK_FALSE(r.cpu.s.paging());
}

TEST_CASE("sys/cr: CR0.WP makes supervisor writes to read-only PSE pages fault") {
  for (bool wp : {false, true}) {
    CAPTURE(wp);
    F f;
    const uint32_t dir = 0x60000;
    f.poke<uint32_t>(dir, 0x00000000 | 0x80 | 0x1);  // 4 MiB page at 0, present, read-only
    f.cpu.s.cr3 = dir;
    f.cpu.s.r[EAX] = cr4::PSE;
    f.cpu.s.r[EBX] = f.cpu.s.cr0 | cr0::PG | (wp ? cr0::WP : 0);
    f.load_asm("mov cr4, eax\nmov cr0, ebx\nsgdt [0x8000]\nhlt");
    f.run();
    if (wp) {
      CHECK(f.faulted_with(vec::PF, 0x3));  // present, write, supervisor
      CHECK(f.cpu.s.cr2 == 0x8000);
    } else {
      CHECK(f.cpu.halted());
      CHECK(f.peek<uint16_t>(0x8000) == F::kGdtEntries * 8 - 1);
    }
  }
}

TEST_CASE("sys/cr: MOV CR/DR, LGDT, LTR, CLTS, INVLPG, HLT, RDMSR at CPL 3 are #GP(0)") {
  for (const char* insn : {"mov cr0, eax", "mov eax, cr3", "mov dr7, eax", "lgdt [0x8000]", "lidt [0x8000]",
                           "ltr ax", "lldt ax", "clts", "invlpg [0]", "hlt", "rdmsr", "wrmsr", "lmsw ax",
                           "wbinvd", "cli"}) {
    CAPTURE(insn);
    F f;
    f.put_asm(F::kRing3Code, insn);
    f.enter_ring3(F::kRing3Code);
    f.run();
    CHECK(f.faulted_with(vec::GP, 0));
  }
}

TEST_CASE("sys/dr: debug registers keep their fixed bits; DR4/5 alias DR6/7 unless CR4.DE") {
  F f;
  f.cpu.s.r[EAX] = 0xFFFFFFFF;
  f.cpu.s.r[ECX] = 0;
  f.load_asm("mov dr0, eax\nmov dr6, ecx\nmov dr7, ecx\nmov ebx, dr4\nmov edx, dr5\nhlt");
  f.run();
  CHECK(f.cpu.s.dr[0] == 0xFFFFFFFF);
  CHECK(f.cpu.s.r[EBX] == 0xFFFF0FF0);
  CHECK(f.cpu.s.r[EDX] == 0x400);

  F g;
  g.cpu.s.cr4 = cr4::DE;
  g.load_asm("mov eax, dr5");
  g.run();
  CHECK(g.faulted(vec::UD));
}

TEST_CASE("sys/dt: LGDT/LIDT/SGDT/SIDT round trip; 16-bit operand size keeps 24 base bits") {
  F f;
  f.poke<uint16_t>(0x8000, 0x03FF);
  f.poke<uint32_t>(0x8002, 0x12345678);
  f.load_asm("lidt [0x8000]\nsidt [0x8010]\no16 sgdt [0x8020]\nhlt");
  f.run();
  CHECK(f.cpu.s.idtr.base == 0x12345678);
  CHECK(f.cpu.s.idtr.limit == 0x03FF);
  CHECK(f.peek<uint16_t>(0x8010) == 0x03FF);
  CHECK(f.peek<uint32_t>(0x8012) == 0x12345678);
  CHECK(f.peek<uint32_t>(0x8022) == CpuFixture::kGdtAddr);

  F g;
  g.poke<uint16_t>(0x8000, 0x0017);
  g.poke<uint32_t>(0x8002, 0xAB345678);
  g.load_asm("o16 lgdt [0x8000]\nhlt");
  g.run();
  CHECK(g.cpu.s.gdtr.base == 0x00345678);
  CHECK(g.cpu.s.gdtr.limit == 0x17);
}

TEST_CASE("sys/dt: LTR marks the TSS busy; STR/SLDT read back; LLDT loads an LDT") {
  F f;
  f.make_tss32(5, F::kTssAddr);
  f.gdt_set(F::kFreeSlot, 0x9000, 0x0F, 0x0082);  // LDT with two entries
  f.poke<uint32_t>(0x9008, 0x0000FFFF);            // LDT entry 1: data, base 0x30000
  f.poke<uint32_t>(0x9008 + 4, 0x00CF9303);
  f.load_asm(
      "mov ax, 0x28\nltr ax\nmov ax, 0x40\nlldt ax\nstr ebx\nsldt ecx\n"
      "mov ax, 0x0C\nmov es, ax\nltr ax");
  f.run();
  CHECK(f.cpu.s.tr.sel == F::kTssSel);
  CHECK(f.cpu.s.tr.type() == sys_type::TSS32_BUSY);
  CHECK((f.peek<uint8_t>(CpuFixture::kGdtAddr + 0x28 + 5) & 0xF) == sys_type::TSS32_BUSY);
  CHECK(f.cpu.s.r[EBX] == F::kTssSel);
  CHECK(f.cpu.s.r[ECX] == 0x40);
  CHECK(f.cpu.s.ldtr.base == 0x9000);
  CHECK(f.cpu.s.seg[ES].base == 0x30000);
  CHECK(f.faulted_with(vec::GP, 0x0C));  // LTR with an LDT selector
}

TEST_CASE("sys/cr: LMSW cannot clear PE; SMSW and CLTS") {
  F f;
  f.cpu.s.r[EAX] = cr0::MP | cr0::EM | cr0::TS;  // PE bit clear in the source
  f.load_asm("lmsw ax\nsmsw ebx\nclts\nsmsw ecx\nhlt");
  f.run();
  CHECK(f.cpu.s.protected_mode());
  CHECK((f.cpu.s.r[EBX] & 0xF) == (cr0::PE | cr0::MP | cr0::EM | cr0::TS));
  CHECK((f.cpu.s.r[ECX] & cr0::TS) == 0);
}

TEST_CASE("sys/flags: POPF rules by CPL and IOPL") {
  const uint32_t image = fl::FIXED1 | fl::IF | fl::IOPL | fl::CF | fl::AC | fl::ID;
  // CPL 0: everything but VM changes.
  F f;
  f.cpu.s.r[EAX] = image | fl::VM;
  f.load_asm("push eax\npopfd\nhlt");
  f.run();
  CHECK(f.cpu.s.eflags == image);

  // CPL 3, IOPL 0: IF and IOPL are kept, the rest changes.
  F g;
  g.cpu.s.r[EAX] = image;
  g.put_asm(F::kRing3Code, "push eax\npopfd\npushfd\npop ebx\nhlt");
  g.enter_ring3(F::kRing3Code);
  g.run();
  CHECK(g.cpu.s.iopl() == 0);
  CHECK_FALSE(g.cpu.flag(fl::IF));
  CHECK(g.cpu.flag(fl::CF));
  CHECK(g.cpu.flag(fl::ID));
  CHECK(g.cpu.s.r[EBX] == (fl::FIXED1 | fl::CF | fl::AC | fl::ID));

  // CPL 3 with IOPL 3: IF changes, IOPL still does not (only CPL 0 may).
  F h;
  h.cpu.s.eflags |= fl::IOPL;
  h.cpu.s.r[EAX] = fl::FIXED1 | fl::IF;
  h.put_asm(F::kRing3Code, "push eax\npopfd\nhlt");
  h.enter_ring3(F::kRing3Code);
  h.run();
  CHECK(h.cpu.flag(fl::IF));
  CHECK(h.cpu.s.iopl() == 3);

  // 16-bit POPF leaves the upper half alone.
  F k;
  k.cpu.s.eflags |= fl::AC;
  k.load_asm("push word 0x0001\npopfw\nhlt");
  k.run();
  CHECK(k.cpu.s.eflags == (fl::FIXED1 | fl::CF | fl::AC));
}

TEST_CASE("sys/flags: CLI/STI obey IOPL; STI holds interrupts off for one instruction") {
  F f;
  f.cpu.s.eflags |= fl::IOPL;
  f.put_asm(F::kRing3Code, "cli\nsti\nhlt");
  f.enter_ring3(F::kRing3Code);
  f.run();
  CHECK(f.faulted_with(vec::GP, 0));
  CHECK(f.cpu.s.eip == F::kRing3Code + 2);
  CHECK(f.cpu.flag(fl::IF));

  struct OneIrq : InterruptSource {
    bool pending = true;
    bool intr_pending() const override { return pending; }
    uint8_t acknowledge() override { pending = false; return 0x40; }
  } pic;
  F g;
  g.cpu.intc = &pic;
  g.idt_gate(0x40, F::kHandlerAddr);
  g.put_asm(F::kHandlerAddr, "hlt");
  g.load_asm("sti\nmov eax, 1\nhlt");
  g.run();
  CHECK(g.cpu.s.eip == F::kHandlerAddr + 1);
  CHECK(g.cpu.s.r[EAX] == 1);                            // not taken right after STI
  CHECK(g.ring0_stack(3) == CpuFixture::kCodeAddr + 6);  // taken after the MOV, before the HLT
}

TEST_CASE("sys/misc: UD2 is #UD; RDTSC honours CR4.TSD") {
  F f;
  f.load_asm("ud2");
  f.run();
  CHECK(f.faulted(vec::UD));

  F g;
  g.cpu.s.cr4 = cr4::TSD;
  g.put_asm(F::kRing3Code, "rdtsc");
  g.enter_ring3(F::kRing3Code);
  g.run();
  CHECK(g.faulted_with(vec::GP, 0));

  F h;
  h.cpu.s.cr4 = cr4::TSD;
  h.load_asm("rdtsc\nmov ebx, eax\nmov ecx, edx\nrdtsc\nhlt");
  h.run();
  const uint64_t t1 = uint64_t(h.cpu.s.r[ECX]) << 32 | h.cpu.s.r[EBX];
  const uint64_t t2 = uint64_t(h.cpu.s.r[EDX]) << 32 | h.cpu.s.r[EAX];
  CHECK(t2 >= t1);
}
