// Monitor transports (see monitor_channel.h): stdio and a Unix socket server, with poll(2).
#include "frontend/monitor_channel.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "frontend/termination.h"

namespace bt86 {

namespace {

constexpr std::string_view kBusyMessage = "bt86: the monitor is in use by another client\n";

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

std::unique_ptr<MonitorChannel> MonitorChannel::open_stdio() {
  std::unique_ptr<MonitorChannel> ch(new MonitorChannel);
  ch->in_fd_ = STDIN_FILENO;
  ch->out_fd_ = STDOUT_FILENO;
  return ch;
}

std::unique_ptr<MonitorChannel> MonitorChannel::open_unix_server(const std::string& path, bool wait) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    throw MonitorError("-monitor unix:" + path + ": the socket path must be 1 to " +
                       std::to_string(sizeof addr.sun_path - 1) + " characters");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      throw MonitorError("-monitor unix:" + path + ": the file exists and is not a socket");
    ::unlink(path.c_str());  // a stale socket from an earlier run, as QEMU replaces it
  }
  std::unique_ptr<MonitorChannel> ch(new MonitorChannel);
  ch->is_socket_ = true;
  ch->listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ch->listen_fd_ < 0) throw MonitorError(errno_text("-monitor: socket"));
  if (::bind(ch->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw MonitorError(errno_text("-monitor unix:" + path));
  ch->socket_path_ = path;
  if (::listen(ch->listen_fd_, 4) != 0) throw MonitorError(errno_text("-monitor unix:" + path + ": listen"));
  if (wait) {
    std::fprintf(stderr, "bt86: waiting for a monitor client on unix:%s\n", path.c_str());
    pollfd p{ch->listen_fd_, POLLIN, 0};
    // A termination signal (SIGTERM, ...) ends the wait; the run then ends at once.
    while (::poll(&p, 1, -1) < 0 && errno == EINTR && termination_signal() == 0) {}
  }
  set_nonblocking(ch->listen_fd_);
  return ch;
}

MonitorChannel::~MonitorChannel() {
  if (is_socket_) drop_client();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (!socket_path_.empty()) ::unlink(socket_path_.c_str());
}

MonitorChannel::Input MonitorChannel::poll() {
  Input in;
  if (!is_socket_ && !greeted_stdio_) {
    greeted_stdio_ = true;
    in.new_client = true;
  }
  accept_clients(in);
  read_input(in);
  flush();
  return in;
}

void MonitorChannel::accept_clients(Input& in) {
  if (listen_fd_ < 0) return;
  while (true) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;  // EAGAIN: nobody waiting
    if (in_fd_ >= 0) {
      (void)!::send(fd, kBusyMessage.data(), kBusyMessage.size(), MSG_NOSIGNAL);
      ::close(fd);
      continue;
    }
    in_fd_ = out_fd_ = fd;
    partial_line_.clear();
    pending_output_.clear();
    in.new_client = true;
  }
}

void MonitorChannel::read_input(Input& in) {
  while (in_fd_ >= 0 && readable(in_fd_)) {
    char buf[4096];
    const ssize_t n = ::read(in_fd_, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {  // end of input: a client left; stdin closed (keep running, as QEMU)
      if (is_socket_) drop_client();
      else in_fd_ = -1;
      return;
    }
    for (ssize_t i = 0; i < n; ++i) {
      const char c = buf[i];
      if (c == '\n') {
        in.lines.push_back(std::move(partial_line_));
        partial_line_.clear();
      } else if (c != '\r' && partial_line_.size() < kMaxLine) {
        partial_line_ += c;
      }
    }
  }
}

void MonitorChannel::write(std::string_view text) {
  if (out_fd_ < 0) return;
  if (pending_output_.size() + text.size() > kMaxPendingOutput) return;
  pending_output_ += text;
  flush();
}

void MonitorChannel::flush() {
  while (out_fd_ >= 0 && !pending_output_.empty()) {
    const ssize_t n = is_socket_ ? ::send(out_fd_, pending_output_.data(), pending_output_.size(), MSG_NOSIGNAL)
                                 : ::write(out_fd_, pending_output_.data(), pending_output_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // the rest goes on a later poll
    if (n < 0) {                           // the reader is gone
      if (is_socket_) drop_client();
      else out_fd_ = -1;
      return;
    }
    pending_output_.erase(0, size_t(n));
  }
}

void MonitorChannel::drop_client() {
  if (in_fd_ >= 0) ::close(in_fd_);
  in_fd_ = out_fd_ = -1;
  partial_line_.clear();
  pending_output_.clear();
}

}  // namespace bt86
