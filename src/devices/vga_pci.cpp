// The VGA's PCI function (see vga_pci.h).
#include "devices/vga_pci.h"

#include <stdexcept>

#include "devices/host_file.h"

namespace bt86 {

namespace {
constexpr uint8_t kBarPrefetchable = 0x08;
constexpr size_t kMaxOptionRomBytes = 128 << 10;
}  // namespace

std::vector<uint8_t> load_vga_bios(const std::string& path) {
  const std::vector<uint8_t> image = read_input_file(path, {"VGA BIOS", kMaxOptionRomBytes, "the VGA's ROM BAR"});
  if (image.size() < 3 || image[0] != 0x55 || image[1] != 0xAA || image.size() > kMaxOptionRomBytes)
    throw std::runtime_error("VGA BIOS '" + path +
                             "': not an option ROM (expected the 55 AA signature, at most 128 KiB)");
  return image;
}

VgaPci::VgaPci(Vga& vga, std::span<const uint8_t> rom) : PciDevice(kId) {
  if (vga.vram_span().empty()) throw std::logic_error("VGA PCI function: the Vga is not attached (no VRAM yet)");
  declare_ram_bar(kLfbBar, vga.vram_span(), &vga.vram_log());
  cfg(pci_reg::kBar0) |= kBarPrefetchable;  // a read-only type bit (the write mask excludes it)
  if (!rom.empty()) declare_rom(rom);
  set_subsystem(kSubsystemVendor, kSubsystemId);
}

void VgaPci::enable_as_firmware_would() {
  config_write(pci_reg::kBar0, kFirmwareLfbAddress, 4);
  config_write(pci_reg::kCommand, pci_reg::kCommandIo | pci_reg::kCommandMemory, 2);
}

}  // namespace bt86
