// PIIX3: the ISA bridge's identity and PIRQ route registers, and the IDE function's config space
// (legacy programming interface, BAR4 sizing) forwarding its bus-master window to the controller.
#include <doctest/doctest.h>

#include "devices/piix3.h"

using namespace bt86;

namespace {

struct Piix3Fixture {
  IoBus io;
  PhysMem mem{1 << 20};
  PciBus bus{io, mem};
  IdeController ide{mem};
  Piix3Isa isa;
  Piix3Ide ide_fn{ide};
  Piix3Fixture() {
    bus.attach(PciBus::devfn(1, 0), &isa);
    bus.attach(PciBus::devfn(1, 1), &ide_fn);
  }
  uint32_t cfg_read(unsigned fn, unsigned reg, unsigned size) {
    io.out(0xCF8, 0x80000000u | PciBus::devfn(1, fn) << 8 | (reg & 0xFC), 4);
    return io.in(uint16_t(0xCFC + (reg & 3)), size);
  }
  void cfg_write(unsigned fn, unsigned reg, uint32_t v, unsigned size) {
    io.out(0xCF8, 0x80000000u | PciBus::devfn(1, fn) << 8 | (reg & 0xFC), 4);
    io.out(uint16_t(0xCFC + (reg & 3)), v, size);
  }
};

}  // namespace

TEST_CASE("PIIX3 ISA bridge: identity, multi-function header, PIRQ routing registers") {
  Piix3Fixture f;
  CHECK(f.cfg_read(0, 0x00, 4) == 0x70008086u);
  CHECK(f.cfg_read(0, 0x0A, 2) == 0x0601);
  CHECK(f.cfg_read(0, 0x0E, 1) == 0x80);
  CHECK(f.cfg_read(0, 0x60, 4) == 0x80808080u);
  CHECK(f.isa.pirq_route(0) == -1);
  f.cfg_write(0, 0x60, 0x0B0B0A0Au, 4);
  CHECK(f.isa.pirq_route(0) == 10);
  CHECK(f.isa.pirq_route(3) == 11);
  f.cfg_write(0, 0x61, 0xFF, 1);  // reserved bits 6:4 stay clear
  CHECK(f.cfg_read(0, 0x61, 1) == 0x8F);
  CHECK(f.isa.pirq_route(1) == -1);
}

TEST_CASE("PIIX3 IDE function: legacy mode, BAR4 sizing, bus-master window forwarding") {
  Piix3Fixture f;
  CHECK(f.cfg_read(1, 0x00, 4) == 0x70108086u);
  CHECK(f.cfg_read(1, 0x08, 4) == 0x01018000u);  // class 01 01, prog-if 0x80
  CHECK(f.cfg_read(1, 0x0E, 1) == 0x00);
  f.cfg_write(1, 0x20, 0xFFFFFFFFu, 4);
  CHECK(f.cfg_read(1, 0x20, 4) == 0xFFFFFFF1u);  // 16 I/O ports
  f.cfg_write(1, 0x40, 0x80008000u, 4);          // IDE decode enable, as SeaBIOS writes it
  CHECK(f.cfg_read(1, 0x40, 4) == 0x80008000u);
  f.cfg_write(1, 0x20, 0xC040, 4);
  f.cfg_write(1, 0x04, pci_reg::kCommandIo | pci_reg::kCommandBusMaster, 2);
  // The secondary channel's PRD table address (offset 8 + 4) goes to the controller.
  f.io.out(0xC04C, 0x00012344u, 4);
  CHECK(f.ide.bus_master_read(12, 4) == 0x00012344u);
  CHECK(f.io.in(0xC04C, 4) == 0x00012344u);
}
