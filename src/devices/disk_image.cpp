// Raw image files (see disk_image.h): pread/pwrite on the file, and for snapshot mode an overlay
// of 512-byte blocks consulted block by block on reads.
//
// Image locking is QEMU's (block/file-posix.c), so bt86 and QEMU also see each other: open file
// description (OFD) locks, all shared (F_RDLCK), on single bytes: byte 100 + p says "I hold
// permission p", byte 200 + p says "I do not let others hold p". After taking its own bytes an
// opener tests (F_OFD_GETLK) byte 200 + p for each p it wants and byte 100 + p for each p it
// does not share; a lock found there held by another open file is a conflict. bt86 wants
// CONSISTENT_READ (bit 0), and WRITE (bit 1) for a read-write image; like QEMU's IDE drives it
// shares neither WRITE nor RESIZE (bit 3). So a writer excludes every other user of the image,
// while read-only users (-cdrom, -snapshot) exclude writers only. OFD locks conflict between two
// opens in one process too, so `-hda X -hdb X` is caught like a second process. Locks vanish
// with the descriptor (also when bt86 is killed).
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

namespace {

constexpr off_t kLockPermBase = 100, kLockSharedBase = 200;  // QEMU's RAW_LOCK_*_BASE
enum LockPerm : unsigned { kPermConsistentRead = 0, kPermWrite = 1, kPermResize = 3 };  // BLK_PERM_* bits

const char* perm_name(unsigned perm) {
  switch (perm) {
    case kPermConsistentRead: return "consistent read";
    case kPermWrite: return "write";
    default: return "resize";
  }
}

flock byte_lock(short type, off_t at) {
  flock fl{};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = at;
  fl.l_len = 1;
  return fl;
}

// Takes the image's lock bytes; "" when granted (or when the file system has no OFD locks),
// otherwise why not, in QEMU's words.
std::string lock_image(int fd, bool write) {
  const unsigned wanted[] = {kPermConsistentRead, kPermWrite};
  const unsigned unshared[] = {kPermWrite, kPermResize};
  const size_t wanted_count = write ? 2 : 1;
  auto unsupported = [](int err) { return err == EINVAL || err == ENOLCK || err == EOPNOTSUPP; };
  auto take = [&](off_t at) {  // 0, or errno
    flock fl = byte_lock(F_RDLCK, at);
    return ::fcntl(fd, F_OFD_SETLK, &fl) == 0 ? 0 : errno;
  };
  auto held_elsewhere = [&](off_t at, int& err) {
    flock fl = byte_lock(F_WRLCK, at);
    err = ::fcntl(fd, F_OFD_GETLK, &fl) == 0 ? 0 : errno;
    return err == 0 && fl.l_type != F_UNLCK;
  };
  for (size_t i = 0; i < wanted_count; ++i) {
    const int err = take(kLockPermBase + wanted[i]);
    if (unsupported(err)) return "";
    if (err) return std::string("failed to lock byte ") + std::to_string(kLockPermBase + wanted[i]);
  }
  for (unsigned perm : unshared) {
    const int err = take(kLockSharedBase + perm);
    if (unsupported(err)) return "";
    if (err) return std::string("failed to lock byte ") + std::to_string(kLockSharedBase + perm);
  }
  const std::string hint = " (is another process or drive option using the image?)";
  int err = 0;
  for (size_t i = 0; i < wanted_count; ++i)
    if (held_elsewhere(kLockSharedBase + wanted[i], err))
      return std::string("failed to get \"") + perm_name(wanted[i]) + "\" lock" + hint;
  for (unsigned perm : unshared)
    if (held_elsewhere(kLockPermBase + perm, err))
      return std::string("failed to get shared \"") + perm_name(perm) + "\" lock" + hint;
  return "";
}

}  // namespace

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
  // A read-write image is ours alone; read-only and -snapshot users share theirs (see above).
  const std::string lock_error = lock_image(file.fd(), mode == Mode::ReadWrite);
  if (!lock_error.empty()) fail(lock_error);
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
