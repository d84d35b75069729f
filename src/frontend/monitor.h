// The QEMU-style human monitor as a front end: `-monitor stdio` or
// `-monitor unix:PATH[,server][,nowait]`. Each poll of the run loop reads the command lines that
// arrived, runs them (monitor_commands.h), answers with the output and the "(bt86) " prompt,
// and paces the key events of `sendkey` into the keyboard. See docs/monitor.md.
#pragma once
#include <memory>
#include <string>
#include "frontend/monitor_channel.h"
#include "frontend/monitor_commands.h"
#include "machine/machine.h"

namespace bt86 {

// A parsed -monitor value.
struct MonitorSpec {
  enum class Kind { None, Stdio, UnixServer };
  Kind kind = Kind::None;
  std::string path;   // UnixServer: the socket file
  bool wait = true;   // UnixServer: wait for a client before the guest starts (QEMU's default)
};

// Parses "none", "stdio" or "unix:PATH[,server[=on|off]][,wait=on|off|,nowait]". Only server
// sockets are supported. Throws MonitorError.
MonitorSpec parse_monitor_spec(const std::string& text);

class Monitor : public Frontend {
 public:
  static constexpr const char* kPrompt = "(bt86) ";

  // Opens the channel (a unix server with `wait` blocks here until a client connects).
  // Throws MonitorError. Register the monitor with machine.add_frontend().
  Monitor(Machine& machine, const MonitorSpec& spec);
  void poll(Machine& m) override;

 private:
  MonitorSession session_;
  std::unique_ptr<MonitorChannel> channel_;
};

// The monitor a -monitor value asks for, registered with the machine; nullptr for "none".
// Throws MonitorError.
std::unique_ptr<Monitor> open_monitor(Machine& machine, const std::string& spec_text);

}  // namespace bt86
