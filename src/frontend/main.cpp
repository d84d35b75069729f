// bt86's entry point: parse the command line, build the machine, run it, and turn every failure
// into a one-line message and a documented exit code (never a crash).
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "frontend/cli_options.h"
#include "frontend/monitor.h"
#include "frontend/screenshot.h"
#include "frontend/sdl_display.h"
#include "frontend/termination.h"
#include "machine/machine.h"

int main(int argc, char** argv) {
  using namespace bt86;
  CliOptions cli;
  try {
    cli = parse_cli(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const CliError& e) {
    std::fprintf(stderr, "bt86: %s\nTry 'bt86 -h' for help.\n", e.what());
    return exit_code::kStartupError;
  }
  switch (cli.action) {
    case CliOptions::Action::Help: std::fputs(cli_usage().c_str(), stdout); return 0;
    case CliOptions::Action::Version: std::printf("bt86 %s\n", kBt86Version); return 0;
    case CliOptions::Action::TraceHelp: std::fputs(trace_items_help().c_str(), stdout); return 0;
    case CliOptions::Action::Run: break;
  }

  // SIGTERM/SIGINT/SIGHUP end the run cleanly (terminal restored, files flushed), as in QEMU.
  install_termination_handlers();
  TerminationWatch termination;
  std::unique_ptr<Machine> machine;
  std::unique_ptr<Monitor> monitor;
  std::unique_ptr<SdlDisplay> window;
  try {
    if (!cli.screenshot_at_exit.empty()) check_screenshot_path(cli.screenshot_at_exit);
    machine = std::make_unique<Machine>(cli.machine);
    machine->add_frontend(&termination);
    monitor = open_monitor(*machine, cli.monitor);
    window = open_window(*machine, cli.display);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bt86: %s\n", e.what());
    return exit_code::kStartupError;
  }
  try {
    const int code = machine->run();
    return cli.screenshot_at_exit.empty() ? code : screenshot_at_exit(*machine, cli.screenshot_at_exit, code);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bt86: internal error: %s\n", e.what());
    return exit_code::kInternalError;
  } catch (...) {
    std::fprintf(stderr, "bt86: internal error: unexpected exception\n");
    return exit_code::kInternalError;
  }
}
