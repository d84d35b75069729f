// Intel 82371SB PIIX3, the south bridge of QEMU's "pc" machine: two PCI functions.
//
// Piix3Isa (8086:7000, 00:01.0, ISA bridge, multi-function): the PIRQ route control registers
// 0x60-0x63 (PIRQA#-D#: bit 7 = routing disabled, bits 3:0 = ISA IRQ; power-on 0x80) which
// SeaBIOS programs and describes in its tables. The values are stored and readable through
// pirq_route(); the edge/level control (ELCR, ports 0x4D0/0x4D1) belongs to the 8259 pair.
//
// Piix3Ide (8086:7010, 00:01.1, IDE controller): programming interface 0x80 (both channels in
// legacy ISA mode, bus-master capable), BAR4 = the 16 bus-master I/O ports, the IDE timing
// registers 0x40-0x47 (SeaBIOS sets the decode-enable bits, and so does the -kernel path through
// enable_as_firmware_would(); stored, the legacy ports always decode — but Linux's ata_piix
// skips a channel whose bit is clear). Accesses to the BAR4 window are forwarded to the IdeController's bus-master
// registers (offset 0-15); the controller itself owns the legacy ports and the drives.
#pragma once
#include "devices/ide_controller.h"
#include "devices/pci.h"

namespace bt86 {

class Piix3Isa : public PciDevice {
 public:
  static constexpr uint8_t kPirqRoute = 0x60, kPirqCount = 4, kRoutingDisabled = 0x80;
  Piix3Isa();
  const char* name() const override { return "piix3-isa"; }
  // ISA IRQ of PIRQA#..D# (0-3), or -1 when routing is disabled.
  int pirq_route(unsigned pirq) const;
};

class Piix3Ide : public PciDevice {
 public:
  static constexpr int kBusMasterBar = 4;
  explicit Piix3Ide(IdeController& ide);
  const char* name() const override { return "piix3-ide"; }
  // What SeaBIOS does at POST, for boots without firmware (-kernel): set the IDE decode-enable
  // bit (bit 15) of both channels' IDETIM registers; Linux's ata_piix skips a channel without it.
  void enable_as_firmware_would();
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

 private:
  IdeController& ide_;
};

}  // namespace bt86
