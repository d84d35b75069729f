// The VGA's PCI function, as QEMU's "-vga std": vendor 0x1234 (Bochs/QEMU), device 0x1111,
// class 0x0300 (VGA-compatible display). BAR0 is the Bochs VBE linear framebuffer (16 MiB,
// prefetchable memory: all of VRAM, mapped like RAM with its writes page-logged for the
// display); the expansion ROM BAR carries the VGA BIOS, which SeaBIOS finds there, copies to
// 0xC0000 and runs. The legacy VGA ports and the 0xA0000 window are decoded by the Vga itself,
// independent of the command register, as on a real VGA.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>
#include "devices/pci.h"
#include "devices/vga.h"

namespace bt86 {

class VgaPci : public PciDevice {
 public:
  static constexpr PciId kId{0x1234, 0x1111, 0x03, 0x00, 0x00, 0x02};
  static constexpr uint16_t kSubsystemVendor = 0x1AF4, kSubsystemId = 0x1100;
  static constexpr int kLfbBar = 0;

  // rom: the VGA BIOS image (empty: no expansion ROM). `vga` must be attached (it has its VRAM
  // then) and outlive this function (BAR0 maps its VRAM).
  VgaPci(Vga& vga, std::span<const uint8_t> rom);

  // Where SeaBIOS puts the framebuffer on QEMU's pc machine (the top of the 32-bit PCI window).
  static constexpr uint32_t kFirmwareLfbAddress = 0xFD000000;

  const char* name() const override { return "vga-pci"; }
  // What firmware would leave for an OS when no BIOS runs (-kernel): BAR0 at
  // kFirmwareLfbAddress, I/O and memory decoding on.
  void enable_as_firmware_would();
};

// Reads a VGA BIOS image for the ROM BAR: an option ROM (starts 55 AA) of at most 128 KiB.
// Throws std::runtime_error with a message naming the file and the problem.
std::vector<uint8_t> load_vga_bios(const std::string& path);

}  // namespace bt86
