// A raw disk or CD image file backing an emulated drive. Sectors are addressed in bytes here
// (the drives pick their own sector size: 512 for ATA disks, 2048 for CD-ROMs).
//
// Modes: read-write (writes go to the file), read-only (CD/ISO images: writes are refused), and
// snapshot (-snapshot: writes land in an in-memory overlay of changed 512-byte blocks that later
// reads see; the file itself is opened read-only and never changes).
//
// Opening (through open_input_file(), devices/host_file.h: never blocks) throws
// std::runtime_error with a one-line user-facing message naming the file when it is missing,
// unreadable, empty, not a regular file or block device, (for read-write) not writable, or in use:
// images are locked as QEMU locks them (OFD locks on its lock bytes): a read-write image excludes
// every other user, in this process or another, bt86 or QEMU; read-only and snapshot images are
// shared among readers.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace bt86 {

class DiskImage {
 public:
  enum class Mode { ReadWrite, ReadOnly, Snapshot };
  static constexpr uint32_t kBlock = 512;  // overlay granularity

  // `what` names the option in messages, e.g. "-hda".
  DiskImage(const std::string& path, Mode mode, const std::string& what);
  ~DiskImage();
  DiskImage(const DiskImage&) = delete;
  DiskImage& operator=(const DiskImage&) = delete;

  uint64_t size_bytes() const { return size_; }
  const std::string& path() const { return path_; }
  bool writable() const { return mode_ != Mode::ReadOnly; }

  // Byte ranges must lie inside the image; both return false on an I/O error or a range
  // outside the image (and write() also when the image is read-only).
  bool read(uint64_t offset, void* dst, uint64_t len);
  bool write(uint64_t offset, const void* src, uint64_t len);
  bool flush();  // fdatasync() of a read-write image; the destructor does it too after writes

 private:
  using Block = std::array<uint8_t, kBlock>;
  bool in_range(uint64_t offset, uint64_t len) const { return offset <= size_ && len <= size_ - offset; }
  bool read_file(uint64_t offset, void* dst, uint64_t len);
  bool write_overlay(uint64_t offset, const uint8_t* src, uint64_t len);

  std::string path_;
  Mode mode_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool written_ = false;  // the file was written since it was opened
  std::unordered_map<uint64_t, Block> overlay_;  // block index -> contents (snapshot mode)
};

}  // namespace bt86
