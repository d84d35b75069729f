// The bt86 command line, QEMU style: `bt86 [options]`. parse_cli() turns argv into
// MachineOptions plus what to do (run, or print help/version/trace items); the usage text is
// generated from the same option table, so the two never disagree.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>
#include "machine/machine_options.h"
#include "version.h"

namespace bt86 {

// A command-line mistake; what() is a one-line message for the user.
class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CliOptions {
  enum class Action { Run, Help, Version, TraceHelp };
  Action action = Action::Run;
  MachineOptions machine;
  bool nographic = false;  // -nographic: COM1 defaults to stdio when no -serial is given
  // -display: "sdl" (a window), "none", or "auto" (a window when a display server is there,
  // see sdl_display.h; -nographic makes it "none").
  std::string display = "auto";
  std::string monitor = "none";   // -monitor: none, stdio or unix:PATH,server[,nowait] (monitor.h)
  std::string screenshot_at_exit; // -screenshot-at-exit: PNG written when the run ends, or empty
};

// args: the arguments after the program name. Throws CliError.
CliOptions parse_cli(const std::vector<std::string>& args);
// "-m" values: a number of MiB, or a number with suffix M or G (1 MiB .. 3584 MiB).
uint64_t parse_ram_size(const std::string& text);
// "-icount" values, QEMU's syntax: [shift=]N[,sleep=on|off], N from 0 to 10. shift=auto and
// QEMU's align= and rr= are not supported (CliError saying so).
IcountOptions parse_icount(const std::string& text);
// "-rtc" values: base=utc|localtime|DATE[,clock=vm] (QEMU's syntax; bt86's RTC always runs on
// virtual time, so clock=vm is the only clock there is). Sets rtc_base and rtc_start_s.
void parse_rtc(const std::string& text, MachineOptions& machine);
// -rtc base=DATE: YYYY-MM-DDTHH:MM:SS or YYYY-MM-DD (midnight), a real date from 1970 to 2099;
// seconds since 1970-01-01 UTC.
int64_t parse_rtc_date(const std::string& text);
// "-d" values: a comma list of in_asm, cpu, int, exec. Sets the matching TraceConfig flags.
void parse_trace_items(const std::string& list, TraceConfig& trace);

std::string cli_usage();
std::string trace_items_help();

}  // namespace bt86
