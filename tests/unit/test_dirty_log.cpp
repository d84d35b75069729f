// Dirty-page logging of directly mapped device memory (src/mmu/dirty_log.h, PhysMem device RAM):
// page sets, the log's take()/re-arm, PhysMem handing out writable pages only once they are
// dirty, and the CPU's TLB honouring that (a store after take() is logged again), and the VGA's
// incremental view (Vga::update_view) redrawing exactly the lines of the pages written.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "cpu_fixture.h"
#include "devices/io_bus.h"
#include "devices/pci.h"
#include "devices/vga.h"
#include "devices/vga_pci.h"
#include "mmu/dirty_log.h"
#include "mmu/phys_mem.h"

using namespace bt86;

TEST_CASE("PageSet: pages of byte ranges, clipped to the buffer") {
  PageSet s(5 * 4096);
  CHECK(s.empty());
  CHECK(s.pages() == 5);
  s.add(4095, 2);  // straddles pages 0 and 1
  CHECK(s.contains(0));
  CHECK(s.contains(1));
  CHECK_FALSE(s.contains(2));
  CHECK(s.any_in(8192 - 1, 1));
  CHECK_FALSE(s.any_in(8192, 3 * 4096));
  s.add(4 * 4096 + 100, 1 << 20);  // runs past the end: clipped
  CHECK(s.contains(4));
  CHECK_FALSE(s.contains(5));
  s.clear();
  CHECK(s.empty());
  CHECK_FALSE(s.contains(0));
  s.add_all();
  for (size_t p = 0; p < 5; ++p) CHECK(s.contains(p));
}

TEST_CASE("DirtyLog: take() hands over the pages, empties the log and re-arms only if needed") {
  DirtyLog log(4 * 4096);
  int rearms = 0;
  log.on_rearm = [&] { ++rearms; };
  PageSet got(log.bytes());
  log.take(got);
  CHECK(got.empty());
  CHECK(rearms == 0);
  log.mark(2 * 4096 + 5, 1);
  CHECK(log.page_dirty(2));
  log.take(got);
  CHECK(got.contains(2));
  CHECK_FALSE(got.contains(1));
  CHECK_FALSE(log.any());
  CHECK(rearms == 1);
  log.take(got);
  CHECK(got.empty());
  CHECK(rearms == 1);
}

TEST_CASE("PhysMem device RAM: direct reads, writable pages only once dirty, writes logged") {
  PhysMem mem(1u << 20);
  const std::span<uint8_t> buf = mem.alloc_device_ram(4 * 4096, "fb");
  DirtyLog log(buf.size());
  int map_changes = 0;
  mem.add_map_listener([&] { ++map_changes; });
  CHECK_THROWS(mem.add_device_ram(0xF0000001u, buf, &log, "unaligned"));
  std::vector<uint8_t> heap(4 * 4096);
  CHECK_THROWS(mem.add_device_ram(0xF0000000u, heap, &log, "not from alloc_device_ram"));
  mem.add_device_ram(0xF0000000u, buf, &log, "fb");
  CHECK(map_changes == 1);
  buf[4096 + 8] = 0x5A;
  PhysMem::PageRef p = mem.page(0xF0001000u);
  CHECK(p.host == buf.data() + 4096);
  CHECK_FALSE(p.writable);  // clean: the first store must come through write()
  CHECK(mem.read(0xF0001008u, 1) == 0x5A);
  mem.write(0xF0001010u, 0xCAFEBABEu, 4);
  CHECK(buf[4096 + 0x10] == 0xBE);
  CHECK(log.page_dirty(1));
  CHECK_FALSE(log.page_dirty(0));
  CHECK(mem.page(0xF0001000u).writable);  // dirty: direct stores allowed now
  PageSet got(log.bytes());
  log.take(got);
  CHECK(map_changes == 2);  // re-armed: cached writable entries must go
  CHECK_FALSE(mem.page(0xF0001000u).writable);
  // Bulk copies (DMA) into it are logged too.
  const uint8_t bytes[3] = {1, 2, 3};
  mem.copy_to(0xF0003FFEu, bytes, 2);
  CHECK(log.page_dirty(3));
  CHECK(buf[3 * 4096 + 0xFFE] == 1);
  CHECK(mem.remove_region(0xF0000000u, uint32_t(buf.size())));
  CHECK_FALSE(log.on_rearm);
  CHECK(mem.read(0xF0001008u, 1) == 0xFF);  // unmapped again
}

TEST_CASE("CPU stores to device RAM: logged on the first store after every take()") {
  CpuFixture f(true);
  const std::span<uint8_t> buf = f.mem.alloc_device_ram(2 * 4096, "fb");
  DirtyLog log(buf.size());
  f.mem.add_device_ram(0xE0000000u, buf, &log, "fb");
  PageSet got(log.bytes());
  // Two stores to page 1: the first is logged through the slow path, the second may go direct.
  f.load_asm("mov dword [0xE0001000], 0x11223344\nmov dword [0xE0001004], 0x55667788\nhlt");
  f.run();
  CHECK(buf[4096] == 0x44);
  CHECK(buf[4096 + 4] == 0x88);
  log.take(got);
  CHECK(got.contains(1));
  CHECK_FALSE(got.contains(0));
  // The same code again (its TLB entries for page 1 were writable): after take() the store must
  // be seen again, or a display would miss it.
  f.load_asm("mov dword [0xE0001008], 0x99AABBCC\nhlt");
  f.run();
  CHECK(buf[4096 + 8] == 0xCC);
  CHECK(log.page_dirty(1));
}

namespace {

struct VgaPciRig {
  IoBus io;
  PhysMem mem{1u << 20};
  PciBus bus{io, mem};
  Vga vga;
  bool attached = (vga.attach(io, mem), true);  // VRAM first: the PCI function maps it
  VgaPci fn{vga, {}};
  VgaPciRig() {
    bus.attach(PciBus::devfn(2, 0), &fn);
    fn.enable_as_firmware_would();
  }
  void dispi(uint16_t index, uint16_t v) {
    io.out(dispi::kIndexPort, index, 2);
    io.out(dispi::kDataPort, v, 2);
  }
};

}  // namespace

TEST_CASE("Vga::update_view: whole frame after mode changes, only written lines after LFB stores") {
  VgaPciRig r;
  REQUIRE(r.fn.bar_address(0) == VgaPci::kFirmwareLfbAddress);
  REQUIRE(r.vga.set_vbe_mode(1024, 768, 32));  // 4096 bytes a line: one line per page
  VgaView view;
  VgaLineSpan span = r.vga.update_view(view);
  CHECK(span.first == 0);
  CHECK(span.end == 768);
  CHECK(view.frame.width == 1024);
  CHECK(r.vga.update_view(view).empty());  // nothing happened since

  const uint32_t lfb = VgaPci::kFirmwareLfbAddress;
  r.mem.write(lfb + 10 * 4096 + 4 * 7, 0x00123456, 4);  // line 10, pixel 7
  span = r.vga.update_view(view);
  CHECK(span.first == 10);
  CHECK(span.end == 11);
  CHECK(view.frame.at(7, 10) == 0x123456);
  CHECK(view.frame.pixels == r.vga.render().pixels);

  r.mem.write(lfb + 100 * 4096, 1, 4);
  r.mem.write(lfb + 300 * 4096 + 4092, 2, 4);
  span = r.vga.update_view(view);
  CHECK(span.first == 100);
  CHECK(span.end == 301);
  CHECK(view.frame.pixels == r.vga.render().pixels);

  // A register write re-renders and compares: panned one line, the content moves up a line, so
  // lines 9-10, 99-100 and 299-300 change.
  r.dispi(dispi::kYOffset, 1);
  span = r.vga.update_view(view);
  CHECK(span.first == 9);
  CHECK(span.end == 301);
  CHECK(view.frame.pixels == r.vga.render().pixels);

  // A new mode: the whole (differently sized) frame.
  REQUIRE(r.vga.set_vbe_mode(800, 600, 16));
  span = r.vga.update_view(view);
  CHECK(span.first == 0);
  CHECK(span.end == 600);
  CHECK(view.frame.width == 800);
}

TEST_CASE("Vga::update_view in text mode: a character written at 0xB8000 redraws its row") {
  VgaPciRig r;
  std::vector<uint8_t> font(256 * 16, 0);
  for (unsigned y = 0; y < 16; ++y) font['X' * 16 + y] = 0x81;
  r.vga.set_text_mode_3(font);
  VgaView view;
  CHECK(r.vga.update_view(view).end == 400);
  CHECK(r.vga.update_view(view).empty());
  r.mem.write(0xB8000 + (3 * 80 + 5) * 2, 0x0758, 2);  // 'X' at row 3, column 5
  const VgaLineSpan span = r.vga.update_view(view);
  CHECK(span.first == 3 * 16);
  CHECK(span.end == 4 * 16);
  CHECK(view.frame.at(5 * 9, 3 * 16) != view.frame.at(5 * 9 + 1, 3 * 16));
}
