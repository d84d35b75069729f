// PCI: configuration mechanism #1 (byte/word/dword in the data window, absent functions read all
// ones), read-only vs writable registers, BAR sizing and decoding into I/O and memory windows,
// and the expansion ROM BAR mapping the ROM image.
#include <doctest/doctest.h>

#include <vector>

#include "devices/pci.h"

using namespace bt86;

namespace {

// A test function with an I/O BAR0 (32 ports), a memory BAR1 (4 KiB) and a 3000-byte ROM.
struct TestFunction : PciDevice {
  std::vector<std::pair<int, uint32_t>> mappings;
  uint32_t last_port = 0;
  TestFunction() : PciDevice(PciId{0x1234, 0x5678, 0x03, 0x00, 0x00, 0x02}) {
    declare_bar(0, BarKind::Io, 32);
    declare_bar(1, BarKind::Memory32, 0x1000);
    static const std::vector<uint8_t> rom = [] {
      std::vector<uint8_t> r(3000, 0xAB);
      r[0] = 0x55, r[1] = 0xAA;
      return r;
    }();
    declare_rom(rom);
    set_interrupt_pin(1);
  }
  const char* name() const override { return "test-fn"; }
  uint32_t io_read(uint16_t port, unsigned size) override { return last_port = port; }
  uint32_t mmio_read(uint32_t paddr, unsigned size) override { return paddr ^ 0x5A5A5A5Au; }
  void bar_mapped(int index, uint32_t addr) override { mappings.emplace_back(index, addr); }
};

struct PciFixture {
  IoBus io;
  PhysMem mem{1 << 20};
  PciBus bus{io, mem};
  TestFunction fn;
  PciFixture() { bus.attach(PciBus::devfn(3, 0), &fn); }

  void select(unsigned devfn, unsigned reg) { io.out(0xCF8, 0x80000000u | devfn << 8 | reg, 4); }
  uint32_t cfg_read(unsigned reg, unsigned size) {
    select(PciBus::devfn(3, 0), reg & 0xFC);
    return io.in(uint16_t(0xCFC + (reg & 3)), size);
  }
  void cfg_write(unsigned reg, uint32_t value, unsigned size) {
    select(PciBus::devfn(3, 0), reg & 0xFC);
    io.out(uint16_t(0xCFC + (reg & 3)), value, size);
  }
};

}  // namespace

TEST_CASE("PCI config mechanism #1: byte, word and dword reads at any offset") {
  PciFixture f;
  f.select(PciBus::devfn(3, 0), 0);
  CHECK(f.io.in(0xCF8, 4) == 0x80001800u);
  CHECK(f.cfg_read(0x00, 4) == 0x56781234u);
  CHECK(f.cfg_read(0x02, 2) == 0x5678);
  CHECK(f.cfg_read(0x01, 1) == 0x12);
  CHECK(f.cfg_read(0x03, 1) == 0x56);
  CHECK(f.cfg_read(0x08, 4) == 0x03000002u);  // class 03, subclass 00, prog-if 00, revision 02
  CHECK(f.cfg_read(0x3D, 1) == 1);            // INTA#
}

TEST_CASE("PCI config: absent functions, other buses and a clear enable bit read all ones") {
  PciFixture f;
  f.select(PciBus::devfn(4, 0), 0);
  CHECK(f.io.in(0xCFC, 4) == 0xFFFFFFFFu);
  CHECK(f.io.in(0xCFE, 2) == 0xFFFF);
  f.io.out(0xCF8, 0x80011800u, 4);  // bus 1
  CHECK(f.io.in(0xCFC, 4) == 0xFFFFFFFFu);
  f.io.out(0xCF8, 0x00001800u, 4);  // enable clear
  CHECK(f.io.in(0xCFC, 4) == 0xFFFFFFFFu);
  f.io.out(0xCFC, 0, 4);            // dropped
  CHECK(f.cfg_read(0, 4) == 0x56781234u);
}

TEST_CASE("PCI config: read-only registers keep their value, writable ones take it") {
  PciFixture f;
  f.cfg_write(0x00, 0, 4);
  CHECK(f.cfg_read(0x00, 4) == 0x56781234u);
  f.cfg_write(0x3C, 0x0B, 1);
  CHECK(f.cfg_read(0x3C, 1) == 0x0B);
  f.cfg_write(0x3D, 0x04, 1);
  CHECK(f.cfg_read(0x3D, 1) == 1);
  f.cfg_write(0x04, 0xFFFF, 2);
  CHECK(f.cfg_read(0x04, 2) == 0x0507);
}

TEST_CASE("PCI BAR sizing: writing all ones reads back the size mask and the type bits") {
  PciFixture f;
  CHECK(f.cfg_read(0x10, 4) == 1);  // I/O BAR
  CHECK(f.cfg_read(0x14, 4) == 0);  // 32-bit memory BAR
  f.cfg_write(0x10, 0xFFFFFFFFu, 4);
  CHECK(f.cfg_read(0x10, 4) == 0xFFFFFFE1u);
  f.cfg_write(0x14, 0xFFFFFFFFu, 4);
  CHECK(f.cfg_read(0x14, 4) == 0xFFFFF000u);
  f.cfg_write(0x18, 0xFFFFFFFFu, 4);  // unimplemented BAR2
  CHECK(f.cfg_read(0x18, 4) == 0);
  f.cfg_write(0x30, 0xFFFFFFFFu, 4);  // ROM: 3000 bytes round up to 4 KiB
  CHECK(f.cfg_read(0x30, 4) == 0xFFFFF001u);
}

TEST_CASE("PCI BARs are decoded only with the command enable and a valid address") {
  PciFixture f;
  f.cfg_write(0x10, 0xC000, 4);
  f.cfg_write(0x14, 0xE0000000u, 4);
  CHECK(f.fn.bar_address(0) == PciDevice::kUnmapped);
  CHECK(f.io.in(0xC004, 1) == 0xFF);
  f.cfg_write(0x04, pci_reg::kCommandIo | pci_reg::kCommandMemory, 2);
  CHECK(f.fn.bar_address(0) == 0xC000);
  CHECK(f.fn.bar_address(1) == 0xE0000000u);
  CHECK(f.io.in(0xC004, 2) == 0xC004);  // forwarded with the absolute port
  CHECK(f.mem.read(0xE0000010u, 4) == (0xE0000010u ^ 0x5A5A5A5Au));
  // Moving BAR0: the old window stops answering, the new one answers.
  f.cfg_write(0x10, 0xC100, 4);
  CHECK(f.io.in(0xC004, 1) == 0xFF);
  CHECK(f.io.in(0xC11F, 1) == 0xC11F);
  // Disabling memory decode unmaps BAR1; the sizing pattern is never decoded.
  f.cfg_write(0x04, pci_reg::kCommandIo, 2);
  CHECK(f.mem.read(0xE0000010u, 4) == 0xFFFFFFFFu);
  f.cfg_write(0x10, 0xFFFFFFFFu, 4);
  CHECK(f.fn.bar_address(0) == PciDevice::kUnmapped);
  REQUIRE(f.fn.mappings.size() == 5);  // a move is one callback with the new address
  CHECK(f.fn.mappings[0] == std::pair<int, uint32_t>(0, 0xC000));
  CHECK(f.fn.mappings[2] == std::pair<int, uint32_t>(0, 0xC100));
  CHECK(f.fn.mappings[4] == std::pair<int, uint32_t>(0, PciDevice::kUnmapped));
}

TEST_CASE("PCI expansion ROM BAR maps the ROM image when enabled") {
  PciFixture f;
  f.cfg_write(0x30, 0xFEB00000u, 4);  // address without the enable bit
  f.cfg_write(0x04, pci_reg::kCommandMemory, 2);
  CHECK(f.mem.read(0xFEB00000u, 2) == 0xFFFF);
  f.cfg_write(0x30, 0xFEB00001u, 4);
  CHECK(f.fn.bar_address(pci_reg::kRomBarIndex) == 0xFEB00000u);
  CHECK(f.mem.read(0xFEB00000u, 2) == 0xAA55);
  CHECK(f.mem.read(0xFEB00000u + 2999, 1) == 0xAB);
  uint8_t copy[4];
  f.mem.copy_from(0xFEB00000u, copy, 4);
  CHECK(copy[1] == 0xAA);
  f.cfg_write(0x30, 0, 4);
  CHECK(f.mem.read(0xFEB00000u, 2) == 0xFFFF);
}

TEST_CASE("PCI reset restores power-on registers and unmaps BARs; 0xCF9 requests a reset") {
  PciFixture f;
  bool reset_requested = false;
  f.bus.on_reset_request = [&] { reset_requested = true; };
  f.cfg_write(0x10, 0xC000, 4);
  f.cfg_write(0x04, pci_reg::kCommandIo, 2);
  f.fn.reset();
  CHECK(f.cfg_read(0x10, 4) == 1);
  CHECK(f.cfg_read(0x04, 2) == 0);
  CHECK(f.io.in(0xC000, 1) == 0xFF);
  f.io.out(0xCF9, 0x02, 1);
  CHECK_FALSE(reset_requested);
  CHECK(f.io.in(0xCF9, 1) == 0x02);
  f.io.out(0xCF9, 0x06, 1);
  CHECK(reset_requested);
}
