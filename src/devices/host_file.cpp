// Checked host input and output files (see host_file.h).
#include "devices/host_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace bt86 {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, const std::string& why) {
  throw std::runtime_error(what + " '" + path + "': " + why);
}

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISBLK(mode)) return "a block device";
  return "a special file";
}

bool acceptable_input(mode_t mode, const InputFileRules& rules) {
  return S_ISREG(mode) || (rules.block_device && S_ISBLK(mode));
}

std::string not_input_text(mode_t mode, const InputFileRules& rules) {
  if (S_ISDIR(mode)) return "is a directory";
  return std::string("is ") + file_kind(mode) + ", not a regular file" +
         (rules.block_device ? " or block device" : "");
}

std::string size_text(uint64_t bytes) {
  constexpr uint64_t kKiB = 1024, kMiB = kKiB * 1024;
  if (bytes >= kMiB && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  if (bytes >= kKiB && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + " KiB";
  return std::to_string(bytes) + " bytes";
}

void clear_nonblock(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

// The FILE behind open_output_file(): stdio buffers, this writes; the first failure is reported.
struct OutputCookie {
  int fd;
  std::string what, path;
  bool reported = false;
};

ssize_t output_write(void* cookie, const char* buf, size_t size) {
  auto* out = static_cast<OutputCookie*>(cookie);
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(out->fd, buf + done, size - done);
    if (n > 0) {
      done += size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    const int err = n < 0 ? errno : EIO;
    if (!out->reported)
      std::fprintf(stderr, "bt86: %s '%s': write failed: %s\n", out->what.c_str(), out->path.c_str(),
                   std::strerror(err));
    out->reported = true;
    break;
  }
  return ssize_t(size);  // what could not be written is dropped: the run goes on
}

int output_close(void* cookie) {
  auto* out = static_cast<OutputCookie*>(cookie);
  const int result = ::close(out->fd);
  delete out;
  return result;
}

}  // namespace

HostFile::~HostFile() {
  if (fd_ >= 0) ::close(fd_);
}

HostFile& HostFile::operator=(HostFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    size_ = other.size_;
    other.fd_ = -1;
  }
  return *this;
}

HostFile open_input_file(const std::string& path, const InputFileRules& rules) {
  // What the path is, before opening it: opening a FIFO or some devices has effects (a FIFO's
  // open() waits for a writer), and a directory or /dev/zero must not be read at all.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail(rules.what, path, std::strerror(errno));
  if (!acceptable_input(st.st_mode, rules)) fail(rules.what, path, not_input_text(st.st_mode, rules));
  // O_NONBLOCK in case the path was replaced since stat(): open() still returns at once.
  const int flags = (rules.read_write ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
  HostFile file(::open(path.c_str(), flags), 0);
  if (file.fd() < 0) fail(rules.what, path, std::strerror(errno));
  if (::fstat(file.fd(), &st) != 0) fail(rules.what, path, std::strerror(errno));
  if (!acceptable_input(st.st_mode, rules)) fail(rules.what, path, not_input_text(st.st_mode, rules));
  clear_nonblock(file.fd());
  uint64_t size = uint64_t(st.st_size);
  if (S_ISBLK(st.st_mode)) {
    const off_t end = ::lseek(file.fd(), 0, SEEK_END);
    if (end < 0) fail(rules.what, path, std::strerror(errno));
    size = uint64_t(end);
  }
  if (size > rules.max_bytes)
    fail(rules.what, path,
         "too big: " + std::to_string(size) + " bytes, at most " + size_text(rules.max_bytes) +
             (rules.too_big_hint.empty() ? "" : " (" + rules.too_big_hint + ")"));
  return HostFile(file.release(), size);
}

std::vector<uint8_t> read_input_file(const std::string& path, const InputFileRules& rules) {
  const HostFile file = open_input_file(path, rules);
  std::vector<uint8_t> data(file.size());
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pread(file.fd(), data.data() + done, data.size() - done, off_t(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(rules.what, path, std::string("cannot read it: ") + std::strerror(errno));
    if (n == 0) fail(rules.what, path, "the file got shorter while it was read");
    done += size_t(n);
  }
  return data;
}

FILE* open_output_file(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
    fail(what, path, std::string("is ") + file_kind(st.st_mode) + ", not a file to write to");
  // O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of blocking in open().
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0666);
  if (fd < 0) {
    if (errno == ENXIO) fail(what, path, "is a FIFO (named pipe) that no process reads");
    fail(what, path, std::strerror(errno));
  }
  HostFile owner(fd, 0);
  if (::fstat(fd, &st) != 0) fail(what, path, std::strerror(errno));
  if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
    fail(what, path, std::string("is ") + file_kind(st.st_mode) + ", not a file to write to");
  clear_nonblock(fd);
  auto* cookie = new OutputCookie{fd, what, path};
  FILE* f = ::fopencookie(cookie, "w", cookie_io_functions_t{nullptr, output_write, nullptr, output_close});
  if (!f) {
    delete cookie;
    fail(what, path, std::strerror(errno));
  }
  owner.release();  // output_close() closes it now
  return f;
}

}  // namespace bt86
