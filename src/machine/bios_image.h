// Firmware image loading as on a PC: the image (a multiple of 64 KiB) is mapped as ROM ending at
// 4 GiB, where the CPU's reset vector (FFFF_FFF0) lands, and its last 128 KiB (all of it if
// smaller) is mapped again ending at 1 MiB, the legacy BIOS area E0000-FFFFF. Both are views of
// one ROM image in PhysMem's memfd (PhysMem::load_rom/map_rom), as both decode one flash chip.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>
#include "mmu/phys_mem.h"

namespace bt86 {

inline constexpr size_t kBiosGranule = 64 * 1024;
inline constexpr size_t kBiosMaxSize = 16 * 1024 * 1024;
inline constexpr size_t kBiosLowWindow = 128 * 1024;

// Throws std::runtime_error naming `what` unless size is a non-zero multiple of 64 KiB <= 16 MiB.
void check_bios_size(size_t size, const std::string& what);
// Reads and size-checks an image file; throws std::runtime_error with a clear message.
std::vector<uint8_t> read_bios_image(const std::string& path);
void map_bios(PhysMem& mem, std::span<const uint8_t> image);

}  // namespace bt86
