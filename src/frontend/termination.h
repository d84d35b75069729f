// SIGTERM, SIGINT and SIGHUP end bt86 as they end QEMU: the handler only records the signal and
// who sent it (async-signal-safe); the run loop, through a Frontend polled every
// Machine::kPollNs, then ends the run cleanly with request_quit(): stderr says
// "bt86: terminating on signal N from pid P (NAME)" (or "terminating on signal N" when the
// kernel sent it, e.g. Ctrl-C on a terminal not in raw mode), the exit code is 0, and everything
// is shut down as on any other ending: the terminal leaves raw mode, disk images, the debug
// console, serial and trace files are flushed and closed.
#pragma once
#include <string>

#include "machine/machine.h"

namespace bt86 {

// Installs the handlers (once; before the machine is built, so a signal during start-up is
// acted on as soon as the run starts).
void install_termination_handlers();
// The signal received so far, or 0.
int termination_signal();
// The message for the signal received (QEMU's words), e.g. "terminating on signal 15 from pid
// 1234 (kill)"; empty when none came.
std::string termination_message();

// Polled by the run loop: ends the run once a signal came.
class TerminationWatch : public Frontend {
 public:
  void poll(Machine& m) override;

 private:
  std::string message_;  // request_quit() keeps the pointer
};

}  // namespace bt86
