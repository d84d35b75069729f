// Firmware image loading (see bios_image.h).
#include "machine/bios_image.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace bt86 {

void check_bios_size(size_t size, const std::string& what) {
  if (size == 0 || size % kBiosGranule != 0 || size > kBiosMaxSize)
    throw std::runtime_error("BIOS image '" + what + "' is " + std::to_string(size) +
                             " bytes; it must be a non-zero multiple of 64 KiB, at most 16 MiB");
}

std::vector<uint8_t> read_bios_image(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw std::runtime_error("BIOS image '" + path + "' not found");
  if (!fs::is_regular_file(path, ec)) throw std::runtime_error("BIOS image '" + path + "' is not a regular file");
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) throw std::runtime_error("BIOS image '" + path + "': " + ec.message());
  check_bios_size(size, path);
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> image(size);
  if (!in.read(reinterpret_cast<char*>(image.data()), std::streamsize(size)))
    throw std::runtime_error("cannot read BIOS image '" + path + "'");
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
