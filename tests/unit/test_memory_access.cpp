// Segmented/paged memory access tests for the interpreter's memory paths: segment limits and
// types, expand-down segments, page faults with CR2/error code, page-crossing accesses, and
// stores into decoded code (self-modifying code invalidation).
#include <doctest/doctest.h>
#include "cpu_fixture.h"
#include "mmu/page_walk.h"

using namespace bt86;

static bool throws_vector(auto&& f, uint8_t vector, int32_t error) {
  try {
    f();
  } catch (const GuestFault& g) {
    return g.vector == vector && g.error == error;
  }
  return false;
}

TEST_CASE("memory: flat read/write round trip incl. page-crossing dword") {
  CpuFixture f;
  f.cpu.write<uint32_t>(DS, 0x8FFE, 0x11223344);  // crosses 0x9000
  CHECK(f.peek<uint32_t>(0x8FFE) == 0x11223344);
  CHECK(f.cpu.read<uint16_t>(DS, 0x9000) == 0x1122);
}

TEST_CASE("memory: segment limit violations raise #GP(0), or #SS(0) through SS") {
  CpuFixture f;
  Segment small{0x10, 0x10000, 0xFFF, kAttrDataRW | (1u << 22)};
  f.cpu.set_seg(DS, small);
  f.cpu.set_seg(SS, small);
  CHECK(f.cpu.read<uint32_t>(DS, 0xFFC) == 0);
  CHECK(throws_vector([&] { f.cpu.read<uint32_t>(DS, 0xFFD); }, vec::GP, 0));
  CHECK(throws_vector([&] { f.cpu.write<uint8_t>(SS, 0x1000, 1); }, vec::SS, 0));
}

TEST_CASE("memory: read-only data and execute-only code segments") {
  CpuFixture f;
  f.cpu.set_seg(ES, Segment{0x18, 0, 0xFFFFFFFF, 0x9100 | (1u << 22)});  // data, read-only
  CHECK_NOTHROW(f.cpu.read<uint8_t>(ES, 0x100));
  CHECK(throws_vector([&] { f.cpu.write<uint8_t>(ES, 0x100, 1); }, vec::GP, 0));
  f.cpu.set_seg(FS, Segment{0x20, 0, 0xFFFFFFFF, 0x9900 | (1u << 22)});  // code, execute-only
  CHECK(throws_vector([&] { f.cpu.read<uint8_t>(FS, 0x100); }, vec::GP, 0));
}

TEST_CASE("memory: expand-down segment accepts offsets above the limit only") {
  CpuFixture f;
  f.cpu.set_seg(DS, Segment{0x10, 0, 0x0FFF, 0x9700 | (1u << 22)});  // expand-down RW, B=1
  CHECK_NOTHROW(f.cpu.read<uint32_t>(DS, 0x1000));
  CHECK(throws_vector([&] { f.cpu.read<uint32_t>(DS, 0xFFF); }, vec::GP, 0));
}

TEST_CASE("memory: paging faults set CR2 and the error code; A20 wraps when disabled") {
  CpuFixture f;
  const uint32_t dir = 0x20000, tab = 0x21000;
  f.poke<uint32_t>(dir, tab | 7);
  f.poke<uint32_t>(tab + 9 * 4, 0x9000 | 5);  // 0x9000 user read-only
  f.cpu.s.cr3 = dir;
  f.cpu.s.cr0 |= cr0::PG | cr0::WP;
  f.cpu.flush_tlb();
  f.poke<uint32_t>(0x9010, 0xCAFEBABE);
  CHECK(f.cpu.read<uint32_t>(DS, 0x9010) == 0xCAFEBABE);
  CHECK(throws_vector([&] { f.cpu.write<uint32_t>(DS, 0x9010, 1); }, vec::PF, pf_err::P | pf_err::W));
  CHECK(f.cpu.s.cr2 == 0x9010);
  CHECK(throws_vector([&] { f.cpu.read<uint8_t>(DS, 0xA000); }, vec::PF, 0));
  CHECK(f.cpu.s.cr2 == 0xA000);
  // A write crossing into a non-present page faults without writing the first part.
  f.poke<uint32_t>(tab + 8 * 4, 0x8000 | 7);
  f.poke<uint32_t>(0x8FFC, 0);
  f.cpu.flush_tlb();
  CHECK(throws_vector([&] { f.cpu.write<uint64_t>(DS, 0x8FFC, ~0ull); }, vec::PF, pf_err::P | pf_err::W));
  CHECK(f.peek<uint32_t>(0x8FFC) == 0);
}

TEST_CASE("memory: A20 gate masks bit 20") {
  CpuFixture f;
  f.poke<uint8_t>(0x000123, 0x5A);
  f.mem.set_a20(false);
  CHECK(f.cpu.read<uint8_t>(DS, 0x100123) == 0x5A);
  f.mem.set_a20(true);
  CHECK(f.cpu.read<uint8_t>(DS, 0x100123) == 0);
}

TEST_CASE("memory: a store into decoded code invalidates the block") {
  CpuFixture f;
  f.load_code({0x90, 0xF4});  // nop; hlt
  f.run();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.mmu.code_pages.has_code(CpuFixture::kCodeAddr));
  f.cpu.write<uint8_t>(DS, CpuFixture::kCodeAddr, 0xF4);
  CHECK(f.cpu.mmu.stats.smc_invalidations == 1);
  CHECK_FALSE(f.cpu.mmu.code_pages.has_code(CpuFixture::kCodeAddr));
}

TEST_CASE("interrupts: sti; nop; cli opens a one-instruction window") {
  CpuFixture f;
  struct OneIrq : InterruptSource {
    bool pending = true;
    bool intr_pending() const override { return pending; }
    uint8_t acknowledge() override { pending = false; return 0x20; }
  } pic;
  f.cpu.intc = &pic;
  // IDT at 0x600 with vector 0x20 -> handler at 0x3000 (32-bit interrupt gate, selector 8).
  const uint32_t idt = 0x600, handler = 0x3000;
  f.cpu.s.idtr = {idt, 0x7FF};
  f.poke<uint32_t>(idt + 0x20 * 8, (8u << 16) | (handler & 0xFFFF));
  f.poke<uint32_t>(idt + 0x20 * 8 + 4, (handler & 0xFFFF0000u) | 0x8E00);
  f.poke<uint8_t>(handler, 0xF4);                // hlt
  f.load_code({0xFB, 0x90, 0xFA, 0x90, 0xF4});    // sti; nop; cli; nop; hlt
  f.run();
  CHECK(f.cpu.s.eip == handler + 1);
  CHECK(f.peek<uint32_t>(f.cpu.s.r[ESP]) == CpuFixture::kCodeAddr + 2);  // after the NOP
}
