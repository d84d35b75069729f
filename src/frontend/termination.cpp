// Termination signals (see termination.h).
#include "frontend/termination.h"

#include <signal.h>
#include <sys/types.h>

#include <csignal>
#include <fstream>
#include <iterator>

namespace bt86 {

namespace {

volatile std::sig_atomic_t g_signal = 0;
volatile std::sig_atomic_t g_sender = 0;  // pid_t fits: Linux pids are below 2^22

void on_termination_signal(int signal, siginfo_t* info, void*) {
  g_sender = info ? info->si_pid : 0;
  g_signal = signal;
}

// The sender's command name as QEMU prints it: /proc/PID/cmdline up to its first NUL (argv[0]).
std::string process_name(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string name = cmdline.substr(0, cmdline.find('\0'));
  return name.empty() ? "<unknown process>" : name;
}

}  // namespace

void install_termination_handlers() {
  struct sigaction act {};
  act.sa_sigaction = on_termination_signal;
  act.sa_flags = SA_SIGINFO;  // no SA_RESTART: a blocking wait sees EINTR and can look
  sigemptyset(&act.sa_mask);
  for (int signal : {SIGINT, SIGHUP, SIGTERM}) sigaction(signal, &act, nullptr);
}

int termination_signal() { return g_signal; }

std::string termination_message() {
  const int signal = g_signal;
  if (signal == 0) return {};
  const long pid = g_sender;
  std::string text = "terminating on signal " + std::to_string(signal);
  if (pid != 0) text += " from pid " + std::to_string(pid) + " (" + process_name(pid) + ")";
  return text;
}

void TerminationWatch::poll(Machine& m) {
  if (termination_signal() == 0 || !message_.empty()) return;
  message_ = termination_message();
  m.request_quit(message_.c_str());
}

}  // namespace bt86
