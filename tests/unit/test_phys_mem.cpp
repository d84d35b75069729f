// PhysMem: RAM through page()/read()/write(), ROM (writes dropped, forced copies), MMIO dispatch
// with access sizes, region overrides and removal, unmapped space, the A20 gate, legacy-area
// shadow modes with their change reports, bad arguments; map and content listeners (several,
// in order, removal).
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "mmu/phys_mem.h"

using namespace bt86;

namespace {

struct RecordingMmio : MmioHandler {
  struct Access { bool write; uint32_t paddr, value; unsigned size; };
  std::vector<Access> log;
  uint32_t mmio_read(uint32_t paddr, unsigned size) override {
    log.push_back({false, paddr, 0, size});
    return 0xA1B2C3D4u >> (32 - 8 * size);
  }
  void mmio_write(uint32_t paddr, uint32_t value, unsigned size) override {
    log.push_back({true, paddr, value, size});
  }
};

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(i * 7 + 3);
  return v;
}

}  // namespace

TEST_CASE("PhysMem RAM: read/write through the slow path and page() agree") {
  PhysMem mem(1 << 20);
  CHECK(mem.ram_size() == (1u << 20));
  CHECK(mem.memfd() >= 0);
  mem.write(0x1234, 0xDEADBEEF, 4);
  PhysMem::PageRef p = mem.page(0x1FFF);
  REQUIRE(p.host == mem.ram() + 0x1000);
  CHECK(p.writable);
  CHECK(p.host[0x234] == 0xEF);
  CHECK(p.host[0x237] == 0xDE);
  CHECK(mem.read(0x1234, 2) == 0xBEEF);
  CHECK(mem.read(0x1236, 1) == 0xAD);
  p.host[0x800] = 0x5A;
  CHECK(mem.read(0x1800, 1) == 0x5A);
  // An access straddling two pages is split, not refused.
  mem.write(0x1FFE, 0x11223344, 4);
  CHECK(mem.read(0x1FFE, 4) == 0x11223344);
  CHECK(mem.ram()[0x2001] == 0x11);
}

TEST_CASE("PhysMem: space past RAM is unmapped: all-ones reads, dropped writes, no page") {
  PhysMem mem(1 << 20);
  CHECK(mem.read(0x100000, 1) == 0xFF);
  CHECK(mem.read(0x200000, 2) == 0xFFFF);
  CHECK(mem.read(0xC0000000, 4) == 0xFFFFFFFF);
  mem.write(0x100000, 0, 4);
  CHECK(mem.read(0x100000, 4) == 0xFFFFFFFF);
  CHECK(mem.page(0x100000).host == nullptr);
}

TEST_CASE("PhysMem ROM: reads the image, drops writes, forced copies change it") {
  PhysMem mem(1 << 20);
  const auto image = pattern(0x10000);
  mem.add_rom(0xF0000, image, "test-rom");
  CHECK(mem.read(0xF0000, 1) == image[0]);
  CHECK(mem.read(0xFFFFC, 4) == (image[0xFFFC] | image[0xFFFD] << 8 | image[0xFFFE] << 16 |
                                 uint32_t(image[0xFFFF]) << 24));
  mem.write(0xF0010, 0x00, 1);
  CHECK(mem.read(0xF0010, 1) == image[0x10]);
  mem.copy_to(0xF0010, "\x00", 1);
  CHECK(mem.read(0xF0010, 1) == image[0x10]);
  PhysMem::PageRef p = mem.page(0xF1000);
  REQUIRE(p.host != nullptr);
  CHECK_FALSE(p.writable);
  CHECK(p.host[5] == image[0x1005]);
  const uint8_t b = 0x99;
  mem.copy_to(0xF0010, &b, 1, /*force=*/true);
  CHECK(mem.read(0xF0010, 1) == 0x99);
  // The RAM under the ROM is hidden but intact.
  CHECK(mem.ram()[0xF0010] == 0);
}

TEST_CASE("PhysMem ROM ending exactly at 4 GiB") {
  PhysMem mem(1 << 20);
  const auto image = pattern(0x10000);
  mem.add_rom(0xFFFF0000, image, "high-rom");
  CHECK(mem.read(0xFFFFFFF0, 1) == image[0xFFF0]);
  CHECK(mem.read(0xFFFFFFFF, 1) == image[0xFFFF]);
  CHECK(mem.read(0xFFFF0000, 2) == (image[0] | image[1] << 8));
  CHECK(mem.page(0xFFFFF123).host != nullptr);
  CHECK(mem.read(0xFFFEFFFF, 1) == 0xFF);  // just below: unmapped
  CHECK_THROWS_AS(mem.add_rom(0xFFFFF000, pattern(0x2000), "too-long"), std::invalid_argument);
}

TEST_CASE("PhysMem MMIO: accesses reach the handler with address and size") {
  PhysMem mem(1 << 20);
  RecordingMmio dev;
  mem.add_mmio(0xA0000, 0x20000, &dev, "test-mmio");
  CHECK(mem.read(0xA0010, 1) == 0xA1);
  CHECK(mem.read(0xA0012, 2) == 0xA1B2);
  CHECK(mem.read(0xBFFFC, 4) == 0xA1B2C3D4);
  mem.write(0xA0020, 0x12345678, 4);
  mem.write(0xA0030, 0xAB, 1);
  REQUIRE(dev.log.size() == 5);
  CHECK(dev.log[1].paddr == 0xA0012);
  CHECK(dev.log[1].size == 2);
  CHECK(dev.log[3].write);
  CHECK(dev.log[3].paddr == 0xA0020);
  CHECK(dev.log[3].value == 0x12345678);
  CHECK(dev.log[3].size == 4);
  CHECK(dev.log[4].value == 0xAB);
  CHECK(mem.page(0xA0000).host == nullptr);
  CHECK(mem.ram()[0xA0020] == 0);  // RAM underneath untouched
}

TEST_CASE("PhysMem: a later region overrides, and straddling accesses are split by region") {
  PhysMem mem(1 << 20);
  mem.add_rom(0xE0000, pattern(0x20000), "rom");
  RecordingMmio dev;
  mem.add_mmio(0xE0800, 0x10, &dev, "small-mmio");  // inside a ROM page
  CHECK(mem.read(0xE0800, 1) == 0xA1);
  CHECK(mem.page(0xE0000).host == nullptr);       // page partly MMIO: no direct pointer
  CHECK(mem.page(0xE1000).host != nullptr);
  // A 4-byte read across the MMIO's end: 3 bytes of MMIO (byte accesses) + 1 byte of ROM.
  dev.log.clear();
  const uint32_t v = mem.read(0xE080D, 4);
  CHECK(dev.log.size() == 3);
  CHECK((v >> 24) == pattern(0x20000)[0x810]);
  CHECK((v & 0xFFFFFF) == 0xA1A1A1);
  // RAM below a region, partly covered page: RAM bytes still reachable through read/write.
  mem.write(0xDFFFE, 0xBEEF, 2);
  CHECK(mem.read(0xDFFFE, 2) == 0xBEEF);
}

TEST_CASE("PhysMem A20 gate: wraps at 1 MiB when off, and reports map changes") {
  PhysMem mem(4 << 20);
  int changes = 0;
  mem.add_map_listener([&] { ++changes; });
  mem.write(0x000010, 0x11, 1);
  mem.write(0x100010, 0x22, 1);
  CHECK(mem.a20());
  CHECK(mem.read(0x100010, 1) == 0x22);
  mem.set_a20(false);
  CHECK(changes == 1);
  CHECK(mem.a20_mask() == 0xFFEFFFFF);
  CHECK(mem.read(0x100010, 1) == 0x11);
  CHECK(mem.read(0x300010, 1) == mem.read(0x200010, 1));
  CHECK(mem.page(0x100000).host == mem.ram());
  mem.write(0x100010, 0x33, 1);
  CHECK(mem.ram()[0x10] == 0x33);
  mem.set_a20(false);  // no change, no notification
  CHECK(changes == 1);
  mem.set_a20(true);
  CHECK(changes == 2);
  CHECK(mem.read(0x100010, 1) == 0x22);
  mem.add_rom(0xF0000, pattern(0x1000), "rom");
  RecordingMmio dev;
  mem.add_mmio(0xA0000, 0x1000, &dev, "mmio");
  CHECK(changes == 4);
}

TEST_CASE("PhysMem: bulk copies span pages, ROM and RAM") {
  PhysMem mem(1 << 20);
  mem.add_rom(0xF0000, pattern(0x10000), "rom");
  std::vector<uint8_t> data(0x3000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i ^ 0x5A);
  mem.copy_to(0x7F00, data.data(), data.size());
  std::vector<uint8_t> back(data.size());
  mem.copy_from(0x7F00, back.data(), back.size());
  CHECK(back == data);
  std::vector<uint8_t> straddle(0x20);
  mem.copy_from(0xEFFF0, straddle.data(), straddle.size());  // RAM then ROM
  CHECK(straddle[0x10] == pattern(0x10000)[0]);
}

TEST_CASE("PhysMem rejects bad sizes") {
  CHECK_THROWS_AS(PhysMem(0), std::invalid_argument);
  CHECK_THROWS_AS(PhysMem(4095), std::invalid_argument);
  CHECK_THROWS_AS(PhysMem(0xE0001000ull), std::invalid_argument);
  PhysMem mem(1 << 20);
  CHECK_THROWS_AS(mem.read(0, 3), std::invalid_argument);
  CHECK_THROWS_AS(mem.read(0, 0), std::invalid_argument);
  CHECK_THROWS_AS(mem.write(0, 0, 8), std::invalid_argument);
  CHECK_THROWS_AS(mem.add_rom(0, {}, "empty"), std::invalid_argument);
  CHECK_THROWS_AS(mem.add_mmio(0, 0x1000, nullptr, "no-handler"), std::invalid_argument);
}

TEST_CASE("PhysMem shadow modes, content-change and map-change reports, region removal") {
  PhysMem mem(2 << 20);
  std::vector<uint8_t> rom(0x10000, 0x77);
  mem.add_rom(0xF0000, rom, "bios");
  int map_changes = 0;
  std::vector<std::pair<uint32_t, uint32_t>> changed;
  mem.add_map_listener([&] { ++map_changes; });
  mem.add_content_listener([&](uint32_t a, uint32_t n) { changed.emplace_back(a, n); });

  CHECK(mem.shadow(0xF0000) == PhysMem::Shadow::Unmanaged);
  CHECK(mem.shadow(0x9F000) == PhysMem::Shadow::Unmanaged);  // outside the area
  mem.set_shadow(0xF0000, 0x8000, PhysMem::Shadow::ReadWrite);
  CHECK(map_changes == 1);
  CHECK(changed == std::vector<std::pair<uint32_t, uint32_t>>{{0xF0000, 0x4000}, {0xF4000, 0x4000}});
  CHECK(mem.read(0xF0000, 1) == 0);     // RAM now
  CHECK(mem.read(0xF8000, 1) == 0x77);  // still Unmanaged: the ROM
  mem.set_shadow(0xF0000, 0x8000, PhysMem::Shadow::ReadWrite);
  CHECK(map_changes == 1);  // no change, no report
  CHECK_THROWS_AS(mem.set_shadow(0xF0100, 0x4000, PhysMem::Shadow::Pci), std::invalid_argument);
  CHECK_THROWS_AS(mem.set_shadow(0xB0000, 0x4000, PhysMem::Shadow::Pci), std::invalid_argument);

  changed.clear();
  const uint8_t bytes[3] = {1, 2, 3};
  mem.copy_to(0x1FFE, bytes, 3);  // crosses a page: reported per piece
  CHECK(changed == std::vector<std::pair<uint32_t, uint32_t>>{{0x1FFE, 2}, {0x2000, 1}});
  changed.clear();
  mem.write(0x5000, 0xAB, 1);
  CHECK(changed == std::vector<std::pair<uint32_t, uint32_t>>{{0x5000, 1}});

  CHECK(mem.remove_region(0xF0000, 0x10000));
  CHECK_FALSE(mem.remove_region(0xF0000, 0x10000));
  CHECK(mem.read(0xF8000, 1) == 0);  // Unmanaged chunk: RAM again
}

TEST_CASE("PhysMem listeners: every listener is notified in registration order; removal stops it") {
  PhysMem mem(1 << 20);
  std::string calls;
  const ListenerId a = mem.add_map_listener([&] { calls += 'a'; });
  const ListenerId b = mem.add_map_listener([&] { calls += 'b'; });
  std::vector<std::pair<uint32_t, uint32_t>> seen_c, seen_d;
  const ListenerId c = mem.add_content_listener([&](uint32_t p, uint32_t n) { calls += 'c'; seen_c.emplace_back(p, n); });
  const ListenerId d = mem.add_content_listener([&](uint32_t p, uint32_t n) { calls += 'd'; seen_d.emplace_back(p, n); });
  CHECK(a != 0);
  CHECK(a != b);
  CHECK(c != d);
  CHECK(b != c);

  mem.set_a20(false);
  CHECK(calls == "ab");
  calls.clear();
  mem.write(0x3000, 0x42, 1);
  CHECK(calls == "cd");
  CHECK(seen_c == std::vector<std::pair<uint32_t, uint32_t>>{{0x3000, 1}});
  CHECK(seen_d == seen_c);

  // Removing one listener of each kind: the others still hear everything, the removed ones nothing.
  CHECK(mem.remove_listener(a));
  CHECK(mem.remove_listener(d));
  CHECK_FALSE(mem.remove_listener(a));  // already gone
  CHECK_FALSE(mem.remove_listener(0));
  calls.clear();
  mem.set_a20(true);
  mem.copy_to(0x4000, "xy", 2);
  CHECK(calls == "bc");
  CHECK(seen_d.size() == 1);

  CHECK(mem.remove_listener(b));
  CHECK(mem.remove_listener(c));
  calls.clear();
  mem.set_a20(false);
  mem.write(0x3000, 0x43, 1);
  CHECK(calls.empty());
}

TEST_CASE("PhysMem listeners: removal by owner, and listeners changing the list while notified") {
  PhysMem mem(1 << 20);
  int owner_a = 0, owner_b = 0;  // only their addresses matter
  std::string calls;
  mem.add_map_listener([&] { calls += '1'; }, &owner_a);
  mem.add_content_listener([&](uint32_t, uint32_t) { calls += '2'; }, &owner_a);
  mem.add_map_listener([&] { calls += '3'; }, &owner_b);
  CHECK(mem.remove_listeners(&owner_a) == 2);
  CHECK(mem.remove_listeners(&owner_a) == 0);
  mem.set_a20(false);
  mem.write(0, 1, 1);
  CHECK(calls == "3");
  CHECK(mem.remove_listeners(&owner_b) == 1);

  // A listener that removes itself and adds another: it runs once; the one it adds is first
  // called by the next notification; the listener after it still runs this time.
  calls.clear();
  ListenerId self = 0;
  self = mem.add_map_listener([&] {
    calls += 's';
    mem.remove_listener(self);
    mem.add_map_listener([&] { calls += 'n'; });
  });
  mem.add_map_listener([&] { calls += 't'; });
  mem.set_a20(true);
  CHECK(calls == "st");
  mem.set_a20(false);
  CHECK(calls == "sttn");
}
