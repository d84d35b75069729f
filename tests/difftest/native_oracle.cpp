// Native runner process management and batch I/O (see native_oracle.h).
#include "native_oracle.h"
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace difftest {

namespace {
[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("native runner: " + what); }
}  // namespace

NativeOracle::NativeOracle(const std::string& path) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) fail("pipe failed");
  signal(SIGPIPE, SIG_IGN);
  pid_ = fork();
  if (pid_ < 0) fail("fork failed");
  if (pid_ == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    execl(path.c_str(), path.c_str(), static_cast<char*>(nullptr));
    std::fprintf(stderr, "bt86_difftest: cannot execute %s: %s\n", path.c_str(), std::strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  to_runner_ = in[1];
  from_runner_ = out[0];
  fcntl(to_runner_, F_SETFL, fcntl(to_runner_, F_GETFL) | O_NONBLOCK);  // partial writes, never blocks
  fcntl(to_runner_, F_SETPIPE_SZ, 1 << 20);
  fcntl(from_runner_, F_SETPIPE_SZ, 1 << 20);
  dt_hello hello{};
  transfer({}, reinterpret_cast<uint8_t*>(&hello), sizeof hello);
  if (hello.magic != DT_MAGIC || hello.version != DT_VERSION) fail("bad greeting from " + path);
  low_page_ = hello.low_page_mapped != 0;
}

NativeOracle::~NativeOracle() {
  if (to_runner_ >= 0) close(to_runner_);
  if (from_runner_ >= 0) close(from_runner_);
  if (pid_ > 0) waitpid(pid_, nullptr, 0);
}

// Writes `request` and reads exactly `reply_len` bytes, whichever the pipes allow first.
void NativeOracle::transfer(const std::vector<uint8_t>& request, uint8_t* reply, size_t reply_len) {
  size_t sent = 0, got = 0;
  while (got < reply_len) {
    pollfd fds[2] = {{from_runner_, POLLIN, 0}, {to_runner_, POLLOUT, 0}};
    const nfds_t n = sent < request.size() ? 2 : 1;
    if (poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll failed");
    }
    if (n == 2 && (fds[1].revents & (POLLOUT | POLLERR))) {
      ssize_t w = write(to_runner_, request.data() + sent, request.size() - sent);
      if (w < 0 && errno != EINTR && errno != EAGAIN) fail("the runner stopped reading (crashed?)");
      if (w > 0) sent += size_t(w);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = read(from_runner_, reply + got, reply_len - got);
      if (r == 0) fail("the runner exited unexpectedly (crashed?)");
      if (r < 0 && errno != EINTR && errno != EAGAIN) fail("read failed");
      if (r > 0) got += size_t(r);
    }
  }
}

void NativeOracle::run(const std::vector<const TestCase*>& cases, std::vector<dt_result>& out) {
  std::vector<uint8_t> req;
  req.reserve(4 + cases.size() * (sizeof(dt_case_header) + 64));
  const uint32_t count = uint32_t(cases.size());
  req.insert(req.end(), reinterpret_cast<const uint8_t*>(&count), reinterpret_cast<const uint8_t*>(&count) + 4);
  for (const TestCase* tc : cases) {
    dt_case_header h = tc->init;
    h.code_len = uint32_t(tc->code.size());
    const uint8_t* hp = reinterpret_cast<const uint8_t*>(&h);
    req.insert(req.end(), hp, hp + sizeof h);
    req.insert(req.end(), tc->code.begin(), tc->code.end());
  }
  out.resize(cases.size());
  transfer(req, reinterpret_cast<uint8_t*>(out.data()), out.size() * sizeof(dt_result));
}

}  // namespace difftest
