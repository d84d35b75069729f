// Raw image files (see disk_image.h): pread/pwrite on the file, and for snapshot mode an overlay
// of 512-byte blocks consulted block by block on reads.
#include "devices/disk_image.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "devices/host_file.h"

namespace bt86 {

DiskImage::DiskImage(const std::string& path, Mode mode, const std::string& what)
    : path_(path), mode_(mode) {
  InputFileRules rules{what + ": cannot use image"};
  rules.block_device = true;
  rules.read_write = mode == Mode::ReadWrite;
  HostFile file = open_input_file(path, rules);  // a regular file or block device; never blocks
  auto fail = [&](const std::string& why) {
    throw std::runtime_error(what + ": cannot use image '" + path + "': " + why);
  };
  size_ = file.size();
  if (size_ == 0) fail("the image is empty");
  char probe;
  if (::pread(file.fd(), &probe, 1, 0) != 1) fail(std::string("cannot read it: ") + std::strerror(errno));
  fd_ = file.release();
}

DiskImage::~DiskImage() {
  if (fd_ < 0) return;
  if (written_) flush();  // as QEMU when it closes an image: the guest's writes reach the disk
  ::close(fd_);
}

bool DiskImage::read_file(uint64_t offset, void* dst, uint64_t len) {
  auto* out = static_cast<uint8_t*>(dst);
  while (len > 0) {
    const ssize_t n = ::pread(fd_, out, len, off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out += n, offset += uint64_t(n), len -= uint64_t(n);
  }
  return true;
}

bool DiskImage::read(uint64_t offset, void* dst, uint64_t len) {
  if (!in_range(offset, len)) return false;
  if (overlay_.empty()) return read_file(offset, dst, len);
  auto* out = static_cast<uint8_t*>(dst);
  while (len > 0) {  // block by block: each from the overlay if changed, else from the file
    const uint64_t in_block = offset % kBlock;
    const uint64_t chunk = std::min<uint64_t>(len, kBlock - in_block);
    auto it = overlay_.find(offset / kBlock);
    if (it != overlay_.end()) std::memcpy(out, it->second.data() + in_block, chunk);
    else if (!read_file(offset, out, chunk)) return false;
    out += chunk, offset += chunk, len -= chunk;
  }
  return true;
}

bool DiskImage::write_overlay(uint64_t offset, const uint8_t* src, uint64_t len) {
  while (len > 0) {
    const uint64_t index = offset / kBlock, in_block = offset % kBlock;
    const uint64_t chunk = std::min<uint64_t>(len, kBlock - in_block);
    auto [it, fresh] = overlay_.try_emplace(index);
    if (fresh) {  // start from the file's contents (the image may end inside the block)
      it->second.fill(0);
      const uint64_t start = index * kBlock;
      if (!read_file(start, it->second.data(), std::min<uint64_t>(kBlock, size_ - start))) {
        overlay_.erase(it);
        return false;
      }
    }
    std::memcpy(it->second.data() + in_block, src, chunk);
    src += chunk, offset += chunk, len -= chunk;
  }
  return true;
}

bool DiskImage::write(uint64_t offset, const void* src, uint64_t len) {
  if (!in_range(offset, len) || mode_ == Mode::ReadOnly) return false;
  const auto* in = static_cast<const uint8_t*>(src);
  if (mode_ == Mode::Snapshot) return write_overlay(offset, in, len);
  written_ = true;
  while (len > 0) {
    const ssize_t n = ::pwrite(fd_, in, len, off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    in += n, offset += uint64_t(n), len -= uint64_t(n);
  }
  return true;
}

bool DiskImage::flush() {
  if (mode_ != Mode::ReadWrite) return true;
  if (::fdatasync(fd_) != 0) return false;
  written_ = false;
  return true;
}

}  // namespace bt86
