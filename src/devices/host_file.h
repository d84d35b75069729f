// Host files that options name (-bios, -vga-bios, -kernel, -initrd, -hda..-hdd, -cdrom, -D,
// -debugcon file:, -serial file:), opened so that bad input ends the start-up with a clear
// one-line error instead of a hang, a crash or host memory running out:
//   - open() never blocks: the path is checked with stat() first and opened with O_NONBLOCK, so
//     a FIFO (or a device that waits for a carrier) cannot stall bt86 before the run starts;
//   - an input must be a regular file, or a block device where the option allows one (disk and
//     CD images): a directory, FIFO, socket or character device (/dev/zero, a terminal) is refused
//     by name before a byte is read;
//   - an input's size is checked against the option's limit before it is read, and reading stops
//     at the size found, so no input can grow without bound.
// Outputs may also be character devices (/dev/null, a terminal) or a FIFO that a process reads;
// write errors on them (a full disk, /dev/full) are reported once on stderr and the run goes on.
#pragma once
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace bt86 {

// What an option accepts. Messages read "<what> '<path>': <why>".
struct InputFileRules {
  std::string what;                                    // e.g. "-kernel", "BIOS image"
  uint64_t max_bytes = std::numeric_limits<uint64_t>::max();
  std::string too_big_hint;                            // appended to the too-big message
  bool block_device = false;                           // a block device is fine too
  bool read_write = false;                             // open O_RDWR (disk images)
};

// An open file descriptor (closed by the destructor) and the size found when it was opened.
class HostFile {
 public:
  HostFile() = default;
  HostFile(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~HostFile();
  HostFile(HostFile&& other) noexcept : fd_(other.fd_), size_(other.size_) { other.fd_ = -1; }
  HostFile& operator=(HostFile&& other) noexcept;
  HostFile(const HostFile&) = delete;
  HostFile& operator=(const HostFile&) = delete;

  int fd() const { return fd_; }
  uint64_t size() const { return size_; }
  int release() {  // the caller owns the descriptor from now on
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
};

// Opens an input file as `rules` allow; throws std::runtime_error with a one-line message.
HostFile open_input_file(const std::string& path, const InputFileRules& rules);
// open_input_file, then the whole file (at most rules.max_bytes by then).
std::vector<uint8_t> read_input_file(const std::string& path, const InputFileRules& rules);

// Creates/truncates `path` for writing (a regular file, a character device such as /dev/null, or
// a FIFO that a process already reads; open() never blocks) and returns a FILE* for it. The
// FILE reports the first write error on stderr as "bt86: <what> '<path>': write failed:
// <strerror>" (once per file), drops what
// could not be written and keeps going (later writes are tried again, silently). Throws
// std::runtime_error "<what> '<path>': <why>" when the file cannot be opened.
FILE* open_output_file(const std::string& path, const std::string& what);

}  // namespace bt86
