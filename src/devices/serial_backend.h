// Where a serial port's bytes go and come from on the host (-serial SPEC): "stdio" (output to
// stdout; input from stdin, read without blocking; a terminal is put in raw mode for the run and
// restored at exit; Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-A h lists the keys, as in
// QEMU), "file:PATH" (output to a created/truncated file, no input), or "none" (no port).
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

namespace bt86 {

class SerialBackend {
 public:
  virtual ~SerialBackend() = default;
  virtual void write(uint8_t byte) = 0;
  // Up to `max` bytes of pending host input, without blocking; 0 when there is none.
  virtual size_t read(uint8_t* buf, size_t max) { return 0; }
  virtual void flush() {}
  // A host file descriptor that becomes readable when input() has more to give, or -1.
  virtual int input_fd() const { return -1; }
};

// Collects the output and feeds queued input; for tests and for host code that drives a port.
class BufferSerial : public SerialBackend {
 public:
  void write(uint8_t byte) override { output.push_back(char(byte)); }
  size_t read(uint8_t* buf, size_t max) override;
  std::string output;
  std::string input;  // consumed from the front
};

// Output to a FILE the backend owns (file:PATH).
class FileSerial : public SerialBackend {
 public:
  explicit FileSerial(const std::string& path);  // throws std::runtime_error
  ~FileSerial() override;
  void write(uint8_t byte) override;
  void flush() override { std::fflush(out_); }
 private:
  FILE* out_;
};

// QEMU's Ctrl-A escapes on console input: Ctrl-A x quits, Ctrl-A h asks for the key list,
// Ctrl-A Ctrl-A is one Ctrl-A for the guest, and Ctrl-A before any other key passes both on.
class ConsoleEscapes {
 public:
  enum class Result { Continue, Quit, Help };
  static constexpr uint8_t kCtrlA = 0x01;
  static const char* help_text();
  // One input byte; what it gives the guest is appended to `to_guest`.
  Result feed(uint8_t byte, std::string& to_guest);
 private:
  bool escape_ = false;  // Ctrl-A seen, waiting for the command key
};

// stdout / stdin, with the terminal in raw mode while it lives.
class StdioSerial : public SerialBackend {
 public:
  explicit StdioSerial(std::function<void()> on_quit = {});
  ~StdioSerial() override;
  void write(uint8_t byte) override;
  size_t read(uint8_t* buf, size_t max) override;
  void flush() override { std::fflush(stdout); }
  int input_fd() const override;

 private:
  bool input_open_ = true;   // false after EOF or an error on stdin
  std::function<void()> on_quit_;  // Ctrl-A x: the user asked to quit
  ConsoleEscapes escapes_;
  std::string pending_;      // guest bytes read but not yet taken
};

bool valid_serial_spec(const std::string& spec);
// nullptr for "none". `on_quit` is what Ctrl-A x on stdio does. Throws std::runtime_error for a
// bad spec or an unopenable file.
std::unique_ptr<SerialBackend> make_serial_backend(const std::string& spec,
                                                   std::function<void()> on_quit = {});

}  // namespace bt86
