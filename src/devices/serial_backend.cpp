// Serial port host backends (see serial_backend.h). stdin is polled with poll(2) and a zero
// timeout, so its file status flags are never changed (O_NONBLOCK would leak to the shell).
#include "devices/serial_backend.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "devices/host_file.h"

namespace bt86 {

namespace {

constexpr const char kFilePrefix[] = "file:";
constexpr size_t kFilePrefixLen = sizeof kFilePrefix - 1;

// Whether the process started with a stdin. Taken before main(): if fd 0 was closed (as in
// `bt86 <&-`), the next file bt86 opens (guest RAM's memfd, say) gets fd 0 and must not be read
// as keyboard input.
const bool g_stdin_open_at_start = fcntl(STDIN_FILENO, F_GETFD) != -1;

// The terminal state saved when raw mode starts; restored by the destructor and at exit (so an
// exit() elsewhere does not leave the user's terminal raw).
struct SavedTerminal {
  bool saved = false;
  termios attrs{};
};
SavedTerminal g_terminal;

void restore_terminal() {
  if (g_terminal.saved) tcsetattr(STDIN_FILENO, TCSANOW, &g_terminal.attrs);
  g_terminal.saved = false;
}

// Raw input (no line editing, echo or signal keys: Ctrl-C goes to the guest) while output
// processing stays on, so the terminal still turns "\n" into a new line.
void enter_raw_mode() {
  if (g_terminal.saved || !isatty(STDIN_FILENO)) return;
  termios attrs{};
  if (tcgetattr(STDIN_FILENO, &attrs) != 0) return;
  g_terminal.attrs = attrs;
  g_terminal.saved = true;
  static bool registered = false;
  if (!registered) std::atexit(restore_terminal);
  registered = true;
  attrs.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  attrs.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  attrs.c_cflag = (attrs.c_cflag & ~tcflag_t(CSIZE | PARENB)) | CS8;
  attrs.c_cc[VMIN] = 1;
  attrs.c_cc[VTIME] = 0;
  tcsetattr(STDIN_FILENO, TCSANOW, &attrs);
}

}  // namespace

size_t BufferSerial::read(uint8_t* buf, size_t max) {
  const size_t n = std::min(max, input.size());
  std::memcpy(buf, input.data(), n);
  input.erase(0, n);
  return n;
}

FileSerial::FileSerial(const std::string& path) : out_(open_output_file(path, "-serial")) {}

FileSerial::~FileSerial() { std::fclose(out_); }

void FileSerial::write(uint8_t byte) {
  std::fputc(byte, out_);
  if (byte == '\n') std::fflush(out_);
}

StdioSerial::StdioSerial(std::function<void()> on_quit)
    : input_open_(g_stdin_open_at_start), on_quit_(std::move(on_quit)) {
  if (input_open_) enter_raw_mode();
}

StdioSerial::~StdioSerial() {
  flush();
  restore_terminal();
}

void StdioSerial::write(uint8_t byte) {
  std::fputc(byte, stdout);
  if (byte == '\n') std::fflush(stdout);
}

int StdioSerial::input_fd() const { return input_open_ ? STDIN_FILENO : -1; }

size_t StdioSerial::read(uint8_t* buf, size_t max) {
  while (input_open_ && pending_.size() < max) {
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) break;
    uint8_t byte;
    const ssize_t got = ::read(STDIN_FILENO, &byte, 1);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) break;
    if (got <= 0) {  // EOF, closed or unreadable stdin: no more input
      input_open_ = false;
      break;
    }
    const ConsoleEscapes::Result result = escapes_.feed(byte, pending_);
    if (result == ConsoleEscapes::Result::Help) {
      std::fputs(ConsoleEscapes::help_text(), stdout);
      std::fflush(stdout);
    } else if (result == ConsoleEscapes::Result::Quit) {
      if (on_quit_) on_quit_();
      break;
    }
  }
  const size_t n = std::min(max, pending_.size());
  std::memcpy(buf, pending_.data(), n);
  pending_.erase(0, n);
  return n;
}

const char* ConsoleEscapes::help_text() {
  return "\r\nC-a h    print this help\r\nC-a x    exit emulator\r\nC-a C-a  send C-a\r\n";
}

ConsoleEscapes::Result ConsoleEscapes::feed(uint8_t byte, std::string& to_guest) {
  if (!escape_) {
    if (byte == kCtrlA) escape_ = true;
    else to_guest += char(byte);
    return Result::Continue;
  }
  escape_ = false;
  if (byte == 'x') return Result::Quit;
  if (byte == 'h') return Result::Help;
  if (byte != kCtrlA) to_guest += char(kCtrlA);  // not a command: pass both keys on
  to_guest += char(byte);
  return Result::Continue;
}

bool valid_serial_spec(const std::string& spec) {
  return spec == "stdio" || spec == "none" ||
         (spec.compare(0, kFilePrefixLen, kFilePrefix) == 0 && spec.size() > kFilePrefixLen);
}

std::unique_ptr<SerialBackend> make_serial_backend(const std::string& spec,
                                                   std::function<void()> on_quit) {
  if (!valid_serial_spec(spec))
    throw std::runtime_error("-serial '" + spec + "': expected stdio, none or file:PATH");
  if (spec == "none") return nullptr;
  if (spec == "stdio") return std::make_unique<StdioSerial>(std::move(on_quit));
  return std::make_unique<FileSerial>(spec.substr(kFilePrefixLen));
}

}  // namespace bt86
