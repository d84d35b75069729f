// PhysMem: RAM through page()/read()/write(), ROM (writes dropped, forced copies), MMIO dispatch
// with access sizes, region overrides and removal, unmapped space, the A20 gate, legacy-area
// shadow modes with their change reports, bad arguments; map and content listeners (several,
// in order, removal); and the memfd backing of every kind of page, checked by mapping it again
// in the test with mmap(fd, offset) and comparing with what the guest reads and writes.
#include <doctest/doctest.h>
#include <sys/mman.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "machine/bios_image.h"
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

// The test's own mapping of one 4 KiB page of a backing, as a shadow MMU would make it.
struct PageView {
  uint8_t* p = nullptr;
  PageView(const PhysMem::Backing& b, bool writable) {
    REQUIRE(b.fd >= 0);
    REQUIRE(b.offset % 4096 == 0);
    void* m = mmap(nullptr, 4096, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, b.fd, off_t(b.offset));
    REQUIRE(m != MAP_FAILED);
    p = static_cast<uint8_t*>(m);
  }
  ~PageView() { munmap(p, 4096); }
  PageView(const PageView&) = delete;
  PageView& operator=(const PageView&) = delete;
  uint32_t u32(size_t at) const {
    uint32_t v;
    std::memcpy(&v, p + at, 4);
    return v;
  }
};

// The guest's view of a page through the slow path, byte by byte.
std::vector<uint8_t> guest_page(PhysMem& mem, uint32_t base) {
  std::vector<uint8_t> v(4096);
  for (uint32_t i = 0; i < 4096; ++i) v[i] = uint8_t(mem.read(base + i, 1));
  return v;
}
bool same_bytes(const uint8_t* a, const std::vector<uint8_t>& b) { return std::memcmp(a, b.data(), b.size()) == 0; }

using Kind = PhysMem::Backing::Kind;

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

TEST_CASE("PhysMem backing: RAM, ROM, device RAM, MMIO and unmapped pages, mapped from the memfd") {
  PhysMem mem(1 << 20);
  const auto image = pattern(0x10000);
  mem.add_rom(0xF0000, image, "rom");
  const std::span<uint8_t> fb = mem.alloc_device_ram(4 * 4096, "fb");
  DirtyLog log(fb.size());
  mem.add_device_ram(0xE0000000u, fb, &log, "fb");
  RecordingMmio dev;
  mem.add_mmio(0xA0000, 0x1000, &dev, "mmio");

  SUBCASE("RAM: offset = guest address; guest writes show in the view and view writes in the guest") {
    const PhysMem::Backing b = mem.backing(0x5123);
    CHECK(b.kind == Kind::Ram);
    CHECK(b.fd == mem.memfd());
    CHECK(b.offset == 0x5000);
    CHECK(b.direct_write);
    CHECK(b.host == mem.page(0x5000).host);
    PageView v(b, true);
    mem.write(0x5124, 0xDEADBEEF, 4);
    CHECK(v.u32(0x124) == 0xDEADBEEF);
    mem.copy_to(0x5FF0, "bulk", 4);
    CHECK(std::memcmp(v.p + 0xFF0, "bulk", 4) == 0);
    v.p[0x800] = 0x5A;
    CHECK(mem.read(0x5800, 1) == 0x5A);
    CHECK(mem.page(0x5000).host[0x800] == 0x5A);
    CHECK(same_bytes(v.p, guest_page(mem, 0x5000)));
  }
  SUBCASE("ROM: past RAM in the memfd, the image's bytes, read-only") {
    const PhysMem::Backing b = mem.backing(0xF3456);
    CHECK(b.kind == Kind::Rom);
    CHECK(b.fd == mem.memfd());
    CHECK(b.offset >= mem.ram_size());
    CHECK_FALSE(b.direct_write);
    CHECK(b.host == mem.page(0xF3000).host);
    PageView v(b, false);
    CHECK(std::memcmp(v.p, image.data() + 0x3000, 4096) == 0);
    CHECK(same_bytes(v.p, guest_page(mem, 0xF3000)));
    mem.write(0xF3010, 0, 4);  // dropped
    CHECK(v.u32(0x10) == mem.read(0xF3010, 4));
    // A forced copy (a loader patching the ROM) changes the memfd bytes the view shows.
    mem.copy_to(0xF3010, "\x11\x22", 2, /*force=*/true);
    CHECK(v.p[0x10] == 0x11);
    CHECK(v.p[0x11] == 0x22);
    CHECK(mem.read(0xF3010, 2) == 0x2211);
  }
  SUBCASE("device RAM: the alloc_device_ram memory; direct_write only once the page is dirty") {
    PhysMem::Backing b = mem.backing(0xE0001000u);
    CHECK(b.kind == Kind::DeviceRam);
    CHECK(b.fd == mem.memfd());
    CHECK(b.offset >= mem.ram_size());
    CHECK(b.host == fb.data() + 4096);
    CHECK(b.host == mem.page(0xE0001000u).host);
    CHECK_FALSE(b.direct_write);
    PageView v(b, true);
    mem.write(0xE0001010u, 0xCAFEBABEu, 4);  // the guest's slow path: logged
    CHECK(v.u32(0x10) == 0xCAFEBABEu);
    CHECK(fb[4096 + 0x10] == 0xBE);
    CHECK(log.page_dirty(1));
    b = mem.backing(0xE0001000u);
    CHECK(b.direct_write);
    CHECK(b.direct_write == mem.page(0xE0001000u).writable);
    v.p[0x20] = 0x77;  // a store through a host view (as the shadow MMU's would be)
    CHECK(mem.read(0xE0001020u, 1) == 0x77);
    CHECK(same_bytes(v.p, guest_page(mem, 0xE0001000u)));
    // Pages of one allocation are consecutive in the memfd.
    CHECK(mem.backing(0xE0003000u).offset == mem.backing(0xE0000000u).offset + 3 * 4096);
  }
  SUBCASE("MMIO, unmapped and split pages have no fd") {
    for (uint32_t a : {0xA0000u, 0x200000u, 0xDFFFF000u}) {
      CAPTURE(a);
      const PhysMem::Backing b = mem.backing(a);
      CHECK(b.kind == (a == 0xA0000u ? Kind::Mmio : Kind::None));
      CHECK(b.fd == -1);
      CHECK(b.host == nullptr);
      CHECK_FALSE(b.direct_write);
    }
    CHECK(mem.read(0x200000, 4) == 0xFFFFFFFFu);
    mem.add_mmio(0xF8800, 0x10, &dev, "small");  // inside a ROM page
    const PhysMem::Backing b = mem.backing(0xF8000);
    CHECK(b.kind == Kind::Split);
    CHECK(b.fd == -1);
    CHECK(b.host == nullptr);
    CHECK(mem.backing(0xF9000).kind == Kind::Rom);
  }
}

TEST_CASE("PhysMem backing: the BIOS's two views share bytes; A20, shadow modes, moving regions") {
  PhysMem mem(2 << 20);
  auto image = pattern(0x40000);  // 256 KiB: at 0xFFFC0000, its last 128 KiB at 0xE0000 too
  map_bios(mem, image);

  SUBCASE("both BIOS mappings are the same memfd range") {
    const PhysMem::Backing high = mem.backing(0xFFFFF000u), low = mem.backing(0xFF000);
    CHECK(high.kind == Kind::Rom);
    CHECK(low.kind == Kind::Rom);
    CHECK(high.fd == low.fd);
    CHECK(high.offset == low.offset);
    CHECK(high.host == low.host);
    CHECK(mem.backing(0xFFFC0000u).offset + 0x3F000 == high.offset);
    PageView v(high, false);
    CHECK(std::memcmp(v.p, image.data() + 0x3F000, 4096) == 0);
    mem.copy_to(0xFFFF0, "\xEA", 1, /*force=*/true);  // patching one view patches the other
    CHECK(mem.read(0xFFFFFFF0u, 1) == 0xEA);
    CHECK(v.p[0xFF0] == 0xEA);
  }
  SUBCASE("A20 off: the page above 1 MiB is the RAM page below") {
    CHECK(mem.backing(0x105000).offset == 0x105000);
    mem.set_a20(false);
    const PhysMem::Backing b = mem.backing(0x105000);
    CHECK(b.kind == Kind::Ram);
    CHECK(b.offset == 0x5000);
    CHECK(b.host == mem.ram() + 0x5000);
    CHECK(mem.backing(0x1FF000).offset == mem.backing(0xFF000).offset);  // the BIOS's low view
    CHECK(mem.backing(0x1FF000).kind == Kind::Rom);
  }
  SUBCASE("shadow modes: the RAM under the ROM, read-only or writable, or the ROM") {
    using Shadow = PhysMem::Shadow;
    const uint64_t rom_offset = mem.backing(0xE0000).offset;
    mem.set_shadow(0xE0000, 0x4000, Shadow::ReadOnly);  // reads RAM, writes dropped
    PhysMem::Backing b = mem.backing(0xE1000);
    CHECK(b.kind == Kind::Ram);
    CHECK(b.offset == 0xE1000);
    CHECK_FALSE(b.direct_write);
    mem.set_shadow(0xE0000, 0x4000, Shadow::WriteOnly);  // reads the ROM, writes RAM
    b = mem.backing(0xE1000);
    CHECK(b.kind == Kind::Rom);
    CHECK(b.offset == rom_offset + 0x1000);
    CHECK_FALSE(b.direct_write);
    mem.write(0xE1000, 0x99, 1);  // reaches the RAM below: not the ROM view
    CHECK(mem.ram()[0xE1000] == 0x99);
    CHECK(mem.read(0xE1000, 1) == image[0x21000]);
    mem.set_shadow(0xE0000, 0x4000, Shadow::ReadWrite);
    b = mem.backing(0xE1000);
    CHECK(b.kind == Kind::Ram);
    CHECK(b.direct_write);
    PageView v(b, true);
    CHECK(v.p[0] == 0x99);
    mem.set_shadow(0xC0000, 0x4000, Shadow::Pci);  // no region there: nothing, not the RAM
    CHECK(mem.backing(0xC0000).kind == Kind::None);
    CHECK(mem.backing(0xC0000).fd == -1);
  }
  SUBCASE("a device-RAM BAR moving: same memfd bytes at the new address, pointers stay valid") {
    const std::span<uint8_t> fb = mem.alloc_device_ram(2 * 4096, "fb");
    DirtyLog log(fb.size());
    mem.add_device_ram(0xE0000000u, fb, &log, "fb");
    const PhysMem::Backing before = mem.backing(0xE0001000u);
    uint8_t* host = mem.page(0xE0001000u).host;
    mem.write(0xE0001004u, 0x12345678, 4);
    CHECK(mem.remove_region(0xE0000000u, 2 * 4096));
    CHECK(mem.backing(0xE0001000u).kind == Kind::None);
    CHECK(host[4] == 0x78);  // still mapped, same bytes
    mem.add_device_ram(0xD0000000u, fb, &log, "fb moved");
    const PhysMem::Backing after = mem.backing(0xD0001000u);
    CHECK(after.kind == Kind::DeviceRam);
    CHECK(after.offset == before.offset);
    CHECK(after.host == host);
    CHECK(mem.read(0xD0001004u, 4) == 0x12345678u);
    // Removing the ROM views leaves their memory mapped too.
    const uint8_t* rom = mem.page(0xFFFFF000u).host;
    CHECK(mem.remove_region(0xFFFC0000u, 0x40000));
    CHECK(mem.backing(0xFFFFF000u).kind == Kind::None);
    CHECK(rom[0xFF0] == image[0x3FFF0]);
  }
}

TEST_CASE("PhysMem ROM images: one load, several mappings; bad arguments") {
  PhysMem mem(1 << 20);
  const auto data = pattern(0x3000);
  const PhysMem::RomImage img = mem.load_rom(data, "img");
  CHECK(img.valid());
  CHECK(img.size == 0x3000);
  mem.map_rom(0xD0000, img, "whole");
  mem.map_rom(0xFEB00000u, img, "window", 0x1000, 0x2000);
  CHECK(mem.read(0xD1000, 4) == mem.read(0xFEB00000u, 4));
  CHECK(mem.backing(0xD2000).offset == mem.backing(0xFEB01000u).offset);
  // A second image of the same bytes is a second copy.
  mem.add_rom(0xC0000, data, "copy");
  CHECK(mem.backing(0xC0000).offset != mem.backing(0xD0000).offset);
  CHECK(mem.read(0xC0010, 4) == mem.read(0xD0010, 4));
  // A window that is not page-aligned in its image: readable and a host pointer, but no fd.
  mem.map_rom(0xB0000, img, "odd", 0x800, 0x2000);
  CHECK(mem.read(0xB0000, 1) == data[0x800]);
  const PhysMem::Backing odd = mem.backing(0xB1000);
  CHECK(odd.kind == Kind::Rom);
  CHECK(odd.fd == -1);
  CHECK(odd.host != nullptr);
  CHECK(odd.host[0] == data[0x1800]);

  CHECK_THROWS_AS(mem.load_rom({}, "empty"), std::invalid_argument);
  CHECK_THROWS_AS(mem.map_rom(0xD0000, PhysMem::RomImage{}, "none"), std::invalid_argument);
  CHECK_THROWS_AS(mem.map_rom(0xD0000, img, "past its end", 0x2000, 0x2000), std::invalid_argument);
  CHECK_THROWS_AS(mem.map_rom(0xFFFFF000u, img, "past 4 GiB"), std::invalid_argument);
  CHECK_THROWS_AS(mem.alloc_device_ram(0, "empty"), std::invalid_argument);
  CHECK_THROWS_AS(mem.alloc_device_ram(4097, "odd"), std::invalid_argument);
  const std::span<uint8_t> fb = mem.alloc_device_ram(2 * 4096, "fb");
  DirtyLog log(fb.size());
  CHECK_THROWS_AS(mem.add_device_ram(0xE0000000u, fb.subspan(1, 4096), &log, "unaligned part"),
                  std::invalid_argument);
  mem.add_device_ram(0xE0000000u, fb.subspan(4096), &log, "second page");
  CHECK(mem.backing(0xE0000000u).host == fb.data() + 4096);
}
