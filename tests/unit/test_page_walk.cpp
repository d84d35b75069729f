// Page-walk tests: 4 KiB and 4 MiB pages, permission combinations, CR0.WP, A/D bit updates and
// #PF error codes.
#include <doctest/doctest.h>
#include "cpu/cpu_state.h"
#include "mmu/page_walk.h"

using namespace bt86;

namespace {
struct Tables {
  PhysMem mem{8u << 20};
  static constexpr uint32_t kDir = 0x10000, kTab = 0x11000;
  uint32_t rd(uint32_t a) { uint32_t v; mem.copy_from(a, &v, 4); return v; }
  void wr(uint32_t a, uint32_t v) { mem.copy_to(a, &v, 4); }
  Tables() {
    wr(kDir + 0, kTab | 7);               // 0-4 MiB: table, user, writable
    wr(kTab + 5 * 4, 0x200000 | 7);       // 0x5000 -> 0x200000 user RW
    wr(kTab + 6 * 4, 0x201000 | 1);       // 0x6000 -> 0x201000 supervisor read-only
    wr(kTab + 7 * 4, 0x202000 | 5);       // 0x7000 -> 0x202000 user read-only
    wr(kDir + 2 * 4, 0x400000 | 0x87);    // 8 MiB..12 MiB: 4 MiB page at 4 MiB, user RW, PS
  }
  PageWalk walk(uint32_t lin, bool write, bool user, uint32_t c0 = cr0::PG | cr0::PE, uint32_t c4 = cr4::PSE) {
    return walk_page_tables(mem, c0, kDir, c4, lin, write, user);
  }
};
}  // namespace

TEST_CASE("page walk: 4 KiB page translates and sets A, then D on write") {
  Tables t;
  PageWalk w = t.walk(0x5123, false, true);
  REQUIRE(w.ok);
  CHECK(w.paddr == 0x200123);
  CHECK((t.rd(Tables::kDir) & 0x20) != 0);
  CHECK((t.rd(Tables::kTab + 20) & 0x20) != 0);
  CHECK((t.rd(Tables::kTab + 20) & 0x40) == 0);
  CHECK_FALSE(w.dirty);
  w = t.walk(0x5123, true, true);
  REQUIRE(w.ok);
  CHECK((t.rd(Tables::kTab + 20) & 0x40) != 0);
  CHECK(w.dirty);
}

TEST_CASE("page walk: not-present entries give P=0 error codes") {
  Tables t;
  PageWalk w = t.walk(0x8000, true, true);  // PTE 8 is zero
  CHECK_FALSE(w.ok);
  CHECK(w.error == (pf_err::W | pf_err::U));
  w = t.walk(0x00400000, false, false);     // PDE 1 is zero
  CHECK_FALSE(w.ok);
  CHECK(w.error == 0);
}

TEST_CASE("page walk: protection violations and CR0.WP") {
  Tables t;
  PageWalk w = t.walk(0x6000, false, true);  // user read of supervisor page
  CHECK_FALSE(w.ok);
  CHECK(w.error == (pf_err::P | pf_err::U));
  w = t.walk(0x7000, true, true);            // user write of read-only page
  CHECK_FALSE(w.ok);
  CHECK(w.error == (pf_err::P | pf_err::W | pf_err::U));
  w = t.walk(0x7000, true, false);           // supervisor write, WP clear: allowed
  CHECK(w.ok);
  w = t.walk(0x6000, true, false, cr0::PG | cr0::PE | cr0::WP);  // WP set: faults
  CHECK_FALSE(w.ok);
  CHECK(w.error == (pf_err::P | pf_err::W));
}

TEST_CASE("page walk: 4 MiB PSE pages only with CR4.PSE") {
  Tables t;
  PageWalk w = t.walk(0x00812345, true, true);
  REQUIRE(w.ok);
  CHECK(w.paddr == 0x00412345);
  CHECK((t.rd(Tables::kDir + 8) & 0x60) == 0x60);
  // Without PSE the PS bit is ignored and the entry is a page-table pointer (here: to 4 MiB).
  w = t.walk(0x00800000, false, false, cr0::PG | cr0::PE, 0);
  CHECK_FALSE(w.ok);  // the "table" at 4 MiB is zero: not present
}
