// ENTER and PUSHA on a paged stack at ring 3: every write (the pushed (E)BP, each copied frame
// pointer, the new frame pointer; PUSHA's eight slots) and every read of the enclosing frame's
// display is checked in the order the hardware makes them before anything changes, so the
// first access that faults is the one reported (#PF, CR2, error code) and registers and memory
// are as they were. 32- and 16-bit operand sizes, 32- and 16-bit stacks.
#include <doctest/doctest.h>
#include <string>
#include "mmu/page_walk.h"
#include "sys_test_util.h"

using namespace bt86;

namespace {

// The first 4 MiB identity-mapped with user read/write pages, except the supervisor-only page
// at kSupervisorPage, right below the ring-3 stack page at 0x30000. Runs at ring 3.
struct PagedRing3 : SysFixture {
  static constexpr uint32_t kDir = 0x60000, kTable = 0x61000;
  static constexpr uint32_t kSupervisorPage = 0x2F000, kUserPage = 0x30000;

  PagedRing3() {
    for (uint32_t k = 0; k < 1024; ++k) poke<uint32_t>(kTable + 4 * k, (k << 12) | 7);
    poke<uint32_t>(kTable + (kSupervisorPage >> 12) * 4, kSupervisorPage | 3);
    poke<uint32_t>(kDir, kTable | 7);
    cpu.s.cr3 = kDir;
    cpu.s.cr0 |= cr0::PG | cr0::WP;
    cpu.flush_tlb();
  }

  // Runs `src` at ring 3 with ESP = esp and EBP = ebp, up to a fault, which is either one of
  // its instructions' or the #GP of the HLT at kDone that ends it (see completed()).
  static constexpr uint32_t kDone = kRing3Code + 0x100;
  void run_ring3(const std::string& src, uint32_t esp, uint32_t ebp) {
    put_asm(kRing3Code, src + "\njmp done\ntimes 0x100-($-$$) nop\ndone: hlt");
    enter_ring3(kRing3Code, esp);
    cpu.s.r[EBP] = ebp;
    run();
  }

  bool completed() const { return faulted_with(vec::GP, 0) && cpu.s.eip == kDone; }

  // Fills the 64 bytes around the stack page boundary with a marker, to see that nothing was
  // written.
  void mark_stack() {
    for (uint32_t a = kUserPage - 32; a < kUserPage + 32; a += 4) poke<uint32_t>(a, 0xDEADBEEF);
  }
  bool stack_untouched() {
    for (uint32_t a = kUserPage - 32; a < kUserPage + 32; a += 4)
      if (peek<uint32_t>(a) != 0xDEADBEEF) return false;
    return true;
  }
};

constexpr int32_t kUserWrite = pf_err::P | pf_err::W | pf_err::U;  // 7
constexpr int32_t kUserRead = pf_err::P | pf_err::U;               // 5

}  // namespace

TEST_CASE("ENTER level 2 and 3 at ring 3: a fault on a frame-pointer copy reports that copy") {
  PagedRing3 f;
  // No fault: the enclosing frame at 0x30100 has the display 0xAAAA, 0xBBBB.
  f.poke<uint32_t>(0x300FC, 0xAAAA);
  f.poke<uint32_t>(0x300F8, 0xBBBB);
  f.run_ring3("enter 8, 3", 0x30080, 0x30100);
  REQUIRE(f.completed());
  CHECK(f.peek<uint32_t>(0x3007C) == 0x30100);  // the old EBP
  CHECK(f.peek<uint32_t>(0x30078) == 0xAAAA);
  CHECK(f.peek<uint32_t>(0x30074) == 0xBBBB);
  CHECK(f.peek<uint32_t>(0x30070) == 0x3007C);  // the new frame pointer
  CHECK(f.cpu.s.r[EBP] == 0x3007C);
  CHECK(f.cpu.s.r[ESP] == 0x30070 - 8);

  // Level 2 with ESP = 0x30004: EBP goes to 0x30000 (user page), its one copy to 0x2FFFC
  // (supervisor page): the copy faults, as a PUSH to 0x2FFFC would.
  f.mark_stack();
  f.run_ring3("enter 0, 2", 0x30004, 0x30100);
  REQUIRE(f.faulted_with(vec::PF, kUserWrite));
  CHECK(f.cpu.s.cr2 == 0x2FFFC);
  CHECK(f.cpu.s.eip == SysFixture::kRing3Code);
  CHECK(f.cpu.s.r[ESP] == 0x30004);
  CHECK(f.cpu.s.r[EBP] == 0x30100);
  CHECK(f.stack_untouched());

  // Level 3 with ESP = 0x30008: EBP and the first copy fit on the user page, the second copy is
  // the first write on the supervisor page.
  f.run_ring3("enter 0, 3", 0x30008, 0x30100);
  REQUIRE(f.faulted_with(vec::PF, kUserWrite));
  CHECK(f.cpu.s.cr2 == 0x2FFFC);
  CHECK(f.cpu.s.r[ESP] == 0x30008);
  CHECK(f.cpu.s.r[EBP] == 0x30100);
  CHECK(f.stack_untouched());

  // The same check as a plain PUSH: the reference the ENTER faults are held to.
  f.run_ring3("push eax", 0x30000, 0x30100);
  REQUIRE(f.faulted_with(vec::PF, kUserWrite));
  CHECK(f.cpu.s.cr2 == 0x2FFFC);
}

TEST_CASE("ENTER with a 16-bit operand size: word slots, BP only; a fault on a copy reports it") {
  PagedRing3 f;
  f.poke<uint16_t>(0x300FE, 0x1111);
  f.poke<uint16_t>(0x300FC, 0x2222);
  f.run_ring3("o16 enter 4, 3", 0x30080, 0x30100);
  REQUIRE(f.completed());
  CHECK(f.peek<uint16_t>(0x3007E) == 0x0100);  // BP
  CHECK(f.peek<uint16_t>(0x3007C) == 0x1111);
  CHECK(f.peek<uint16_t>(0x3007A) == 0x2222);
  CHECK(f.peek<uint16_t>(0x30078) == 0x007E);  // the new frame pointer, 16 bits
  CHECK(f.cpu.s.r[EBP] == 0x3007E);             // only BP written; EBP's upper half was 0x0003
  CHECK(f.cpu.s.r[ESP] == 0x30078 - 4);

  // ESP = 0x30002: BP goes to 0x30000, the first copy to 0x2FFFE on the supervisor page.
  f.mark_stack();
  f.run_ring3("o16 enter 0, 3", 0x30002, 0x30100);
  REQUIRE(f.faulted_with(vec::PF, kUserWrite));
  CHECK(f.cpu.s.cr2 == 0x2FFFE);
  CHECK(f.cpu.s.r[ESP] == 0x30002);
  CHECK(f.cpu.s.r[EBP] == 0x30100);
  CHECK(f.stack_untouched());
}

TEST_CASE("ENTER level 1 on a 16-bit stack that wraps: the frame-pointer push faults first") {
  PagedRing3 f;
  f.mark_stack();
  // A 16-bit ring-3 stack segment based at the user page: SP = 2 puts BP at SS:0 (0x30000) and
  // the new frame pointer at SS:FFFE (0x3FFFE). Make that page the supervisor one.
  f.poke<uint32_t>(PagedRing3::kTable + 0x3F * 4, 0x3F000 | 3);
  f.poke<uint32_t>(0x3FFFC, 0xDEADBEEF);
  f.put_asm(SysFixture::kRing3Code, "o16 enter 0, 1\nhlt");
  f.enter_ring3(SysFixture::kRing3Code, 0x12340002);
  f.cpu.set_seg(SS, Segment{SysFixture::kData3, 0x30000, 0xFFFF, 0xF300});
  f.cpu.s.r[EBP] = 0x5678;
  f.run();
  REQUIRE(f.faulted_with(vec::PF, kUserWrite));
  CHECK(f.cpu.s.cr2 == 0x3FFFE);
  CHECK(f.cpu.s.r[ESP] == 0x12340002);
  CHECK(f.cpu.s.r[EBP] == 0x5678);
  CHECK(f.stack_untouched());  // BP was not written at 0x30000
  CHECK(f.peek<uint32_t>(0x3FFFC) == 0xDEADBEEF);
}

TEST_CASE("ENTER: the display is read between the writes, in order (read fault 5, write fault 7)") {
  PagedRing3 f;
  f.mark_stack();
  // The enclosing frame's display lies on the supervisor page; the stack is fine: the read of
  // the first copy faults as a user read.
  f.run_ring3("enter 0, 2", 0x30080, 0x30000);
  REQUIRE(f.faulted_with(vec::PF, kUserRead));
  CHECK(f.cpu.s.cr2 == 0x2FFFC);
  CHECK(f.cpu.s.r[ESP] == 0x30080);
  CHECK(f.stack_untouched());

  // Both the push of EBP (at 0x2FFF0) and the display (at 0x2FFFC) are on the supervisor page:
  // the push comes first, so it is the one reported.
  f.run_ring3("enter 0, 2", 0x2FFF4, 0x30000);
  REQUIRE(f.faulted_with(vec::PF, kUserWrite));
  CHECK(f.cpu.s.cr2 == 0x2FFF0);
  CHECK(f.cpu.s.r[ESP] == 0x2FFF4);
  CHECK(f.cpu.s.r[EBP] == 0x30000);
}

TEST_CASE("PUSHAD at ring 3: the first slot on a supervisor page faults, nothing is written") {
  PagedRing3 f;
  f.mark_stack();
  // ESP = 0x30010: EAX..EBX fit above 0x30000, the saved ESP is the first write below it.
  f.run_ring3("pushad", 0x30010, 0);
  REQUIRE(f.faulted_with(vec::PF, kUserWrite));
  CHECK(f.cpu.s.cr2 == 0x2FFFC);
  CHECK(f.cpu.s.r[ESP] == 0x30010);
  CHECK(f.stack_untouched());
}
