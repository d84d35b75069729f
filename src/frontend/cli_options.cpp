// Command-line parsing (see cli_options.h). Each option is one row of kOptions: its name, the
// name of its argument (if any), its help line and how it changes CliOptions.
#include "frontend/cli_options.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <ctime>
#include <cstdlib>
#include <iterator>

#include "devices/clock.h"
#include "devices/debug_console.h"
#include "devices/fw_cfg.h"
#include "devices/serial_backend.h"
#include "frontend/monitor.h"

namespace bt86 {

namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kMaxRamMiB = 3584;  // 3.5 GiB: the rest of the 4 GiB space is ROM and MMIO

struct TraceItem {
  const char* name;
  bool TraceConfig::*flag;
  const char* help;
};
constexpr TraceItem kTraceItems[] = {
    {"in_asm", &TraceConfig::in_asm, "each newly decoded block, disassembled (Capstone)"},
    {"out_asm", &TraceConfig::out_asm, "each newly translated block's host code (Capstone)"},
    {"cpu", &TraceConfig::cpu, "register state before each executed block"},
    {"int", &TraceConfig::intr, "every interrupt and exception delivered"},
    {"exec", &TraceConfig::exec, "the address of each executed block"},
    {"unimp", &TraceConfig::unimp, "accesses to absent hardware: unclaimed I/O ports (once each)"},
};

struct OptionSpec {
  const char* name;  // without the leading dash
  const char* arg;   // name of its argument, or nullptr for a flag
  const char* help;
  void (*apply)(CliOptions& o, const std::string& arg);
};

double parse_timeout(const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v <= 0)
    throw CliError("-timeout '" + text + "': expected a positive number of seconds");
  return v;
}

// QEMU-style "key=value,key=value" parameters; a first word without '=' is given the name
// `implied` (empty: not allowed).
std::vector<std::pair<std::string, std::string>> split_params(const std::string& option,
                                                              const std::string& text,
                                                              const std::string& implied) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    const size_t eq = item.find('=');
    if (eq != std::string::npos) {
      params.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    } else if (params.empty() && !implied.empty() && !item.empty()) {
      params.emplace_back(implied, item);
    } else {
      throw CliError("-" + option + " '" + text + "': expected key=value parameters separated by commas");
    }
    pos = comma + 1;
  }
  return params;
}

bool parse_on_off(const std::string& option, const std::string& key, const std::string& value) {
  if (value == "on") return true;
  if (value == "off") return false;
  throw CliError("-" + option + " " + key + "='" + value + "': expected on or off");
}

// -hda .. -hdd: disk image N (0 = primary master .. 3 = secondary slave).
template <unsigned N>
void set_disk_image(CliOptions& o, const std::string& path) { o.machine.hd[N] = path; }

const OptionSpec kOptions[] = {
    {"m", "SIZE", "guest RAM: MiB, or with suffix M or G (default 128)",
     [](CliOptions& o, const std::string& a) { o.machine.ram_bytes = parse_ram_size(a); }},
    {"bios", "FILE", "firmware image (default /usr/share/seabios/bios.bin)",
     [](CliOptions& o, const std::string& a) { o.machine.bios_path = a; }},
    {"nographic", nullptr, "no window (headless); COM1 on stdio, Ctrl-A x quits",
     [](CliOptions& o, const std::string&) { o.nographic = true; o.display = "none"; }},
    {"display", "TYPE", "sdl (a window; the default when $DISPLAY or $WAYLAND_DISPLAY works) or none",
     [](CliOptions& o, const std::string& a) {
       if (a != "sdl" && a != "none") throw CliError("-display '" + a + "': expected sdl or none");
       o.display = a;
     }},
    {"vga", "TYPE", "graphics card: std (Bochs VBE VGA, default) or none",
     [](CliOptions& o, const std::string& a) {
       if (a != "std" && a != "none") throw CliError("-vga '" + a + "': expected std or none");
       o.machine.vga = a;
     }},
    {"vga-bios", "FILE", "VGA BIOS, the VGA's PCI ROM (default /usr/share/seabios/vgabios-stdvga.bin)",
     [](CliOptions& o, const std::string& a) { o.machine.vga_bios_path = a; }},
    {"boot", "ORDER", "boot order: letters c (disk, -hda), d (CD-ROM), a (floppy), or order=LETTERS",
     [](CliOptions& o, const std::string& a) {
       const std::string letters = a.rfind("order=", 0) == 0 ? a.substr(6) : a;
       if (!FwCfg::valid_boot_order(letters))
         throw CliError("-boot '" + a + "': expected letters a, c, d (e.g. d, dc, order=cd)");
       o.machine.boot_order = letters;
     }},
    {"hda", "FILE", "raw disk image on IDE primary master", set_disk_image<0>},
    {"hdb", "FILE", "raw disk image on IDE primary slave", set_disk_image<1>},
    {"hdc", "FILE", "raw disk image on IDE secondary master", set_disk_image<2>},
    {"hdd", "FILE", "raw disk image on IDE secondary slave", set_disk_image<3>},
    {"cdrom", "FILE", "CD/DVD image (ISO) in an ATAPI drive on IDE secondary master",
     [](CliOptions& o, const std::string& a) { o.machine.cdrom = a; }},
    {"engine", "NAME", "execution engine: translator (default: binary translation) or interpreter",
     [](CliOptions& o, const std::string& a) {
       if (a != "translator" && a != "interpreter")
         throw CliError("-engine '" + a + "': expected translator or interpreter");
       o.machine.engine = a;
     }},
    {"perfmap", nullptr, "write /tmp/perf-<pid>.map so that perf report names translated guest blocks",
     [](CliOptions& o, const std::string&) { o.machine.perf_map = true; }},
    {"shadow-trace", nullptr,
     "translator: trace guest page-table writes instead of revalidating an address space's shadow "
     "mappings when its CR3 comes back (docs/translator.md)",
     [](CliOptions& o, const std::string&) { o.machine.shadow_trace = true; }},
    {"lockstep", nullptr,
     "check the engine block by block against a reference machine (the interpreter, one "
     "instruction per block); needs -icount; disks as -snapshot; exit code 3 on a divergence",
     [](CliOptions& o, const std::string&) { o.machine.lockstep = true; o.machine.snapshot = true; }},
    {"snapshot", nullptr, "disk writes go to memory; image files stay unchanged",
     [](CliOptions& o, const std::string&) { o.machine.snapshot = true; }},
    {"kernel", "FILE", "boot a Linux bzImage directly (32-bit boot protocol; the BIOS does not run)",
     [](CliOptions& o, const std::string& a) { o.machine.kernel = a; }},
    {"initrd", "FILE", "initial RAM disk for -kernel",
     [](CliOptions& o, const std::string& a) { o.machine.initrd = a; }},
    {"append", "CMDLINE", "kernel command line for -kernel",
     [](CliOptions& o, const std::string& a) { o.machine.append = a; }},
    {"d", "ITEMS", "trace items, comma separated (-d help lists them)",
     [](CliOptions& o, const std::string& a) {
       if (a == "help") o.action = CliOptions::Action::TraceHelp;
       else parse_trace_items(a, o.machine.trace);
     }},
    {"D", "FILE", "write traces to FILE (default stderr)",
     [](CliOptions& o, const std::string& a) { o.machine.trace_path = a; }},
    {"debugcon", "SPEC", "port 0xE9/0x402 output: stdio (default), none or file:PATH",
     [](CliOptions& o, const std::string& a) {
       if (!DebugConsole::valid_spec(a))
         throw CliError("-debugcon '" + a + "': expected stdio, none or file:PATH");
       o.machine.debugcon = a;
       o.machine.debugcon_explicit = true;
     }},
    {"serial", "SPEC", "next COM port (COM1, then COM2): stdio, none or file:PATH",
     [](CliOptions& o, const std::string& a) {
       if (!valid_serial_spec(a)) throw CliError("-serial '" + a + "': expected stdio, none or file:PATH");
       if (o.machine.serial.size() == 2) throw CliError("-serial: at most two serial ports (COM1, COM2)");
       o.machine.serial.push_back(a);
     }},
    {"no-reboot", nullptr, "a triple fault or guest reset request ends the run",
     [](CliOptions& o, const std::string&) { o.machine.no_reboot = true; }},
    {"timeout", "SECONDS", "end a still-running guest after SECONDS (exit code 124)",
     [](CliOptions& o, const std::string& a) { o.machine.timeout_s = parse_timeout(a); }},
    {"icount", "shift=N[,sleep=on|off]",
     "guest time from instructions retired: 2^N ns each (N 0-10); reproducible runs",
     [](CliOptions& o, const std::string& a) { o.machine.icount = parse_icount(a); }},
    {"rtc", "base=utc|localtime|DATE",
     "RTC start: host UTC time (default), host local time, or DATE (2006-06-17T16:01:21)",
     [](CliOptions& o, const std::string& a) { parse_rtc(a, o.machine); }},
    {"monitor", "SPEC", "QEMU-style monitor: stdio, none (default) or unix:PATH,server[,nowait]",
     [](CliOptions& o, const std::string& a) {
       try {
         parse_monitor_spec(a);
       } catch (const MonitorError& e) {
         throw CliError(e.what());
       }
       o.monitor = a;
     }},
    {"screenshot-at-exit", "FILE", "write the screen to FILE (PNG) when the run ends",
     [](CliOptions& o, const std::string& a) { o.screenshot_at_exit = a; }},
    {"stats", nullptr, "print execution statistics on stderr at exit",
     [](CliOptions& o, const std::string&) { o.machine.print_stats = true; }},
    {"h", nullptr, "this help (also -help, --help)",
     [](CliOptions& o, const std::string&) { o.action = CliOptions::Action::Help; }},
    {"help", nullptr, nullptr,
     [](CliOptions& o, const std::string&) { o.action = CliOptions::Action::Help; }},
    {"version", nullptr, "print the version",
     [](CliOptions& o, const std::string&) { o.action = CliOptions::Action::Version; }},
};

const OptionSpec* find_option(const std::string& name) {
  for (const OptionSpec& spec : kOptions)
    if (name == spec.name) return &spec;
  return nullptr;
}

}  // namespace

uint64_t parse_ram_size(const std::string& text) {
  uint64_t n = 0;
  const char* last = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), last, n);
  const std::string suffix(rest, last);
  const uint64_t unit_mib = (suffix.empty() || suffix == "M" || suffix == "m") ? 1
                            : (suffix == "G" || suffix == "g")                 ? 1024
                                                                               : 0;
  if (ec != std::errc() || unit_mib == 0 || n == 0 || n > kMaxRamMiB / unit_mib)
    throw CliError("-m '" + text + "': expected a RAM size from 1 to " + std::to_string(kMaxRamMiB) +
                   " MiB, e.g. 128, 512M or 2G");
  return n * unit_mib * kMiB;
}

IcountOptions parse_icount(const std::string& text) {
  IcountOptions ic;
  bool have_shift = false;
  for (const auto& [key, value] : split_params("icount", text, "shift")) {
    if (key == "shift") {
      if (value == "auto")
        throw CliError("-icount shift=auto (adaptive) is not supported: give a fixed shift=N, N from 0 to " +
                       std::to_string(VirtualClock::kMaxIcountShift));
      unsigned n = 0;
      const auto [rest, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || rest != value.data() + value.size() ||
          n > VirtualClock::kMaxIcountShift)
        throw CliError("-icount shift='" + value + "': expected a number from 0 to " +
                       std::to_string(VirtualClock::kMaxIcountShift));
      ic.shift = n;
      have_shift = true;
    } else if (key == "sleep") {
      ic.sleep = parse_on_off("icount", key, value);
    } else if (key == "align" || key == "rr" || key == "rrfile" || key == "rrsnapshot") {
      throw CliError("-icount " + key + "= is not supported (only shift=N and sleep=on|off)");
    } else {
      throw CliError("-icount: unknown parameter '" + key + "' (expected shift=N, sleep=on|off)");
    }
  }
  if (!have_shift) throw CliError("-icount '" + text + "': shift=N is required (N from 0 to 10)");
  ic.enabled = true;
  return ic;
}

int64_t parse_rtc_date(const std::string& text) {
  const std::string bad = "-rtc base='" + text +
                          "': expected utc, localtime or a date from 1970 to 2099 as "
                          "2006-06-17T16:01:21 or 2006-06-17";
  // Fields: year, month, day[, hour, minute, second], with the separators between them.
  int v[6] = {0, 0, 0, 0, 0, 0};
  const char* p = text.c_str();
  const char seps[6] = {'-', '-', 'T', ':', ':', '\0'};
  const int max_digits[6] = {4, 2, 2, 2, 2, 2};
  int fields = 0;
  for (; fields < 6; ++fields) {
    int digits = 0;
    while (std::isdigit(static_cast<unsigned char>(*p)) && digits < max_digits[fields]) {
      v[fields] = v[fields] * 10 + (*p++ - '0');
      ++digits;
    }
    if (digits == 0 || (fields == 0 && digits != 4)) throw CliError(bad);
    if (*p == '\0' && (fields == 2 || fields == 5)) break;
    if (*p != seps[fields]) throw CliError(bad);
    ++p;
  }
  const int year = v[0], month = v[1], day = v[2];
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (year < 1970 || year > 2099 || month < 1 || month > 12 || day < 1 ||
      day > kDays[month - 1] + (month == 2 && leap) || v[3] > 23 || v[4] > 59 || v[5] > 59)
    throw CliError(bad);
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = v[3];
  tm.tm_min = v[4];
  tm.tm_sec = v[5];
  return int64_t(timegm(&tm));
}

void parse_rtc(const std::string& text, MachineOptions& machine) {
  for (const auto& [key, value] : split_params("rtc", text, "")) {
    if (key == "base") {
      if (value == "utc") {
        machine.rtc_base = RtcBase::Utc;
      } else if (value == "localtime") {
        machine.rtc_base = RtcBase::LocalTime;
      } else {
        machine.rtc_start_s = parse_rtc_date(value);
        machine.rtc_base = RtcBase::Fixed;
      }
    } else if (key == "clock") {
      if (value != "vm")
        throw CliError("-rtc clock='" + value + "': not supported; bt86's RTC always runs on the "
                       "machine's virtual clock (clock=vm)");
    } else {
      throw CliError("-rtc: unknown parameter '" + key + "' (expected base=..., clock=vm)");
    }
  }
}

void parse_trace_items(const std::string& list, TraceConfig& trace) {
  size_t pos = 0;
  while (pos <= list.size()) {
    const size_t comma = std::min(list.find(',', pos), list.size());
    const std::string item = list.substr(pos, comma - pos);
    const TraceItem* found = nullptr;
    for (const TraceItem& t : kTraceItems)
      if (item == t.name) found = &t;
    if (!found) throw CliError("-d: unknown trace item '" + item + "' (-d help lists them)");
    trace.*(found->flag) = true;
    pos = comma + 1;
  }
}

CliOptions parse_cli(const std::vector<std::string>& args) {
  CliOptions o;
  for (auto it = args.begin(); it != args.end(); ++it) {
    const std::string& word = *it;
    if (word.size() < 2 || word[0] != '-') throw CliError("unexpected argument '" + word + "'");
    // QEMU accepts both -opt and --opt.
    const std::string name = word.substr(word[1] == '-' ? 2 : 1);
    const OptionSpec* spec = find_option(name);
    if (!spec) throw CliError("unknown option '" + word + "'");
    std::string arg;
    if (spec->arg) {
      if (std::next(it) == args.end()) throw CliError("option '" + word + "' needs an argument (" + spec->arg + ")");
      arg = *++it;
    }
    spec->apply(o, arg);
  }
  if (o.machine.kernel.empty() && !o.machine.initrd.empty()) throw CliError("-initrd is only allowed with -kernel");
  if (o.machine.kernel.empty() && !o.machine.append.empty()) throw CliError("-append is only allowed with -kernel");
  if (o.nographic && o.machine.serial.empty()) o.machine.serial.push_back("stdio");
  const auto& serial = o.machine.serial;
  if (o.monitor == "stdio" && std::find(serial.begin(), serial.end(), "stdio") != serial.end())
    throw CliError("-monitor stdio: stdio is taken by the serial console; add -serial none or -serial file:PATH, "
                   "or use -monitor unix:PATH,server,nowait");
  if (!o.screenshot_at_exit.empty() && o.machine.vga == "none")
    throw CliError("-screenshot-at-exit: there is no screen with -vga none");
  return o;
}

std::string cli_usage() {
  std::string text = "usage: bt86 [options]\n\nbt86 is a full-system IA-32 PC emulator.\n\noptions:\n";
  for (const OptionSpec& spec : kOptions) {
    if (!spec.help) continue;
    std::string left = std::string("  -") + spec.name + (spec.arg ? std::string(" ") + spec.arg : "");
    left.resize(std::max<size_t>(left.size() + 1, 22), ' ');
    text += left + spec.help + "\n";
  }
  text += "\nexit codes: a guest's write of V to port 0xF4 ends the run with V & 0xFF;\n"
          "0 guest reset request or triple fault with -no-reboot, or Ctrl-A x;\n"
          "1 startup error, 2 guest halted for good, 3 lockstep divergence, 124 timeout,\n"
          "125 internal error.\n";
  return text;
}

std::string trace_items_help() {
  std::string text = "trace items for -d (comma separated; output to -D FILE or stderr):\n";
  for (const TraceItem& t : kTraceItems) {
    std::string left = std::string("  ") + t.name;
    left.resize(10, ' ');
    text += left + t.help + "\n";
  }
  return text;
}

}  // namespace bt86
