// PIIX3 ISA bridge and IDE PCI functions (see piix3.h).
#include "devices/piix3.h"

namespace bt86 {

namespace {
constexpr uint8_t kIdeTiming = 0x40, kIdeTimingBytes = 8;  // IDETIM x2, SIDETIM, reserved
constexpr uint8_t kPirqIrqMask = 0x0F;
}  // namespace

Piix3Isa::Piix3Isa() : PciDevice(PciId{0x8086, 0x7000, 0x06, 0x01, 0x00, 0x00}) {
  set_multifunction();
  for (uint8_t i = 0; i < kPirqCount; ++i) {
    cfg(uint8_t(kPirqRoute + i)) = kRoutingDisabled;
    set_write_mask(uint8_t(kPirqRoute + i), 1, kRoutingDisabled | kPirqIrqMask);
  }
}

int Piix3Isa::pirq_route(unsigned pirq) const {
  const uint8_t v = cfg(uint8_t(kPirqRoute + pirq));
  return v & kRoutingDisabled ? -1 : v & kPirqIrqMask;
}

Piix3Ide::Piix3Ide(IdeController& ide)
    : PciDevice(PciId{0x8086, 0x7010, 0x01, 0x01, 0x80, 0x00}), ide_(ide) {
  declare_bar(kBusMasterBar, BarKind::Io, IdeController::kBusMasterBytes);
  set_write_mask(kIdeTiming, kIdeTimingBytes / 2, 0xFFFFFFFFu);
  set_write_mask(kIdeTiming + 4, kIdeTimingBytes / 2, 0xFFFFFFFFu);
}

void Piix3Ide::enable_as_firmware_would() {
  constexpr uint32_t kIdeDecodeEnable = 0x8000;
  config_write(kIdeTiming, kIdeDecodeEnable, 2);      // primary IDETIM
  config_write(kIdeTiming + 2, kIdeDecodeEnable, 2);  // secondary IDETIM
}

uint32_t Piix3Ide::io_read(uint16_t port, unsigned size) {
  return ide_.bus_master_read(unsigned(port - bar_address(kBusMasterBar)), size);
}

void Piix3Ide::io_write(uint16_t port, uint32_t value, unsigned size) {
  ide_.bus_master_write(unsigned(port - bar_address(kBusMasterBar)), value, size);
}

}  // namespace bt86
