// QEMU's "BIOS linker/loader" for ACPI tables (QEMU hw/acpi/bios-linker-loader.c, SeaBIOS
// src/fw/romfile_loader.c): the tables travel as fw_cfg files whose final addresses only the
// firmware knows, plus a script "etc/table-loader" telling the firmware how to place and patch
// them. Each command is 128 bytes, little-endian: u32 command, then
//   1 ALLOCATE      char file[56], u32 align (power of two), u8 zone (1 HIGH, 2 FSEG)
//   2 ADD_POINTER   char dest_file[56], char src_file[56], u32 offset, u8 size (1, 2, 4, 8):
//                   the size-byte field at dest_file+offset holds an offset into src_file; add
//                   src_file's address to it
//   3 ADD_CHECKSUM  char file[56], u32 offset, u32 start, u32 length: subtract the byte sum of
//                   [start, start+length) from the byte at offset
// File names are NUL-padded. ALLOCATE comes before any command naming the file.
//
// AcpiLinker records the commands; script() serializes them for fw_cfg, and link() runs them
// itself for boots without firmware (-kernel), given the addresses the files are placed at.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bt86 {

class AcpiLinker {
 public:
  enum class Zone : uint8_t { High = 1, FSeg = 2 };
  enum Command : uint32_t { kAllocate = 1, kAddPointer = 2, kAddChecksum = 3 };
  static constexpr size_t kCommandSize = 128, kFileNameSize = 56;

  void allocate(const std::string& file, uint32_t align, Zone zone);
  void add_pointer(const std::string& dest_file, uint32_t offset, uint8_t size, const std::string& src_file);
  void add_checksum(const std::string& file, uint32_t checksum_offset, uint32_t start, uint32_t length);

  // The "etc/table-loader" file.
  std::vector<uint8_t> script() const;
  // Runs the commands on `files` (name -> contents, patched in place) placed at `addresses`
  // (name -> guest-physical address). Throws std::logic_error on a command that does not fit.
  void link(std::map<std::string, std::vector<uint8_t>>& files,
            const std::map<std::string, uint32_t>& addresses) const;

  // The byte that makes a range sum to zero with it.
  static uint8_t checksum_byte(const uint8_t* data, size_t length);

 private:
  struct Entry {
    Command command;
    std::string file, src_file;   // src_file: ADD_POINTER only
    uint32_t align_or_offset = 0; // ALLOCATE: align; ADD_POINTER/ADD_CHECKSUM: offset
    uint32_t start = 0, length = 0;
    uint8_t size_or_zone = 0;     // ADD_POINTER: size; ALLOCATE: zone
  };
  std::vector<Entry> entries_;
};

}  // namespace bt86
