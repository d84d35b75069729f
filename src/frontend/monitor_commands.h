// The monitor's commands, QEMU human-monitor style: one command line in, its text output back.
// MonitorSession holds what the commands act on (the Machine) and what they remember between
// lines: the key events `sendkey` queued and the counters `info jit` measures speed against.
// The command tables, their help text and the handlers are in monitor_commands.cpp; the
// transport (stdio, Unix socket) is monitor_channel.h, and monitor.h glues both to the run loop.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>
#include "frontend/key_names.h"

namespace bt86 {

class Machine;

class MonitorSession {
 public:
  // QEMU's default time a `sendkey` holds its keys down.
  static constexpr unsigned kDefaultHoldMs = 100;

  explicit MonitorSession(Machine& machine);

  // Executes one command line (blanks around words ignored; an empty line does nothing).
  // Returns the output, each line ending in '\n'; errors are output lines too.
  std::string execute(std::string_view line);

  // Hands queued key events to the keyboard: those that are due, while its output queue has
  // room for a whole event (so a burst of keys is paced, not dropped). Call on every poll.
  void feed_keys();
  bool keys_pending() const { return !pending_keys_.empty(); }

 private:
  using Words = std::vector<std::string>;  // the arguments after the command name
  struct Command {
    const char* name;
    const char* alias;  // or nullptr
    const char* args;   // argument synopsis for help
    const char* help;
    std::string (MonitorSession::*run)(const Words&);
  };
  struct InfoItem {
    const char* name;
    const char* help;
    std::string (MonitorSession::*show)();
  };
  static const Command kCommands[];
  static const InfoItem kInfoItems[];

  std::string help(const Words& args);
  std::string info(const Words& args);
  std::string screendump(const Words& args);
  std::string sendkey(const Words& args);
  std::string stop(const Words& args);
  std::string cont(const Words& args);
  std::string system_reset(const Words& args);
  std::string quit(const Words& args);

  std::string info_registers();
  std::string info_jit();
  std::string info_status();

  struct TimedKeyEvent {
    KeyEvent event;
    double due_s;  // host monotonic time before which it is not delivered
  };
  struct Sample {  // a point to measure guest speed from
    double wall_s;
    uint64_t insns;
  };
  Sample sample() const;

  Machine& machine_;
  std::deque<TimedKeyEvent> pending_keys_;
  Sample start_, last_info_jit_;
};

}  // namespace bt86
