// Firmware image loading (see bios_image.h).
#include "machine/bios_image.h"

#include <stdexcept>

#include "devices/host_file.h"

namespace bt86 {

void check_bios_size(size_t size, const std::string& what) {
  if (size == 0 || size % kBiosGranule != 0 || size > kBiosMaxSize)
    throw std::runtime_error("BIOS image '" + what + "' is " + std::to_string(size) +
                             " bytes; it must be a non-zero multiple of 64 KiB, at most 16 MiB");
}

std::vector<uint8_t> read_bios_image(const std::string& path) {
  std::vector<uint8_t> image = read_input_file(path, {"BIOS image", kBiosMaxSize});
  check_bios_size(image.size(), path);
  return image;
}

void map_bios(PhysMem& mem, std::span<const uint8_t> image) {
  check_bios_size(image.size(), "in memory");
  // One copy in PhysMem's memory, two views of it (as on a PC: one flash chip, two decodes).
  const PhysMem::RomImage rom = mem.load_rom(image, "bios");
  mem.map_rom(uint32_t(0x100000000ull - image.size()), rom, "bios");
  const size_t low = std::min(image.size(), kBiosLowWindow);
  mem.map_rom(uint32_t(0x100000 - low), rom, "bios (below 1 MiB)", image.size() - low, low);
}

}  // namespace bt86
