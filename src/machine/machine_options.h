// What a Machine is built from (the command line fills this in; tests build it directly) and
// the process exit codes a run can end with. README.md documents both for users.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>
#include "cpu/cpu.h"

namespace bt86 {

// Exit codes of bt86 itself. A guest's write of V to the exit port (0xF4) ends the run with
// V & 0xFF instead, so a guest can also produce these values.
namespace exit_code {
constexpr int kEndedOnRequest = 0;  // guest reset request or triple fault with -no-reboot, Ctrl-A x on stdio
constexpr int kStartupError = 1;    // bad command line, missing or unusable BIOS, unopenable file
constexpr int kHaltedForever = 2;   // guest halted and nothing can wake it (e.g. CLI; HLT)
constexpr int kLockstepDivergence = 3;  // -lockstep: the engines' states differed (report on stderr)
constexpr int kGuestPanic = 4;      // the guest kernel reported a panic through pvpanic
constexpr int kTimeout = 124;       // -timeout elapsed (as timeout(1))
constexpr int kInternalError = 125; // an emulator bug surfaced as a C++ exception
}  // namespace exit_code

inline constexpr const char* kDefaultBiosPath = "/usr/share/seabios/bios.bin";
inline constexpr const char* kDefaultVgaBiosPath = "/usr/share/seabios/vgabios-stdvga.bin";

// -icount: guest time from the instructions retired instead of the host clock (devices/clock.h),
// which makes a run reproducible. See docs/deterministic.md.
struct IcountOptions {
  bool enabled = false;
  unsigned shift = 0;  // shift=N: 2^N ns of guest time per instruction retired (0-10)
  // sleep=on (default): a halted CPU waits in host time for the next timer deadline, so idle
  // guest time takes as long on the host; sleep=off: time jumps to the deadline at once. Guest
  // time lands on the deadline either way, so both give the same run.
  bool sleep = true;
};

// -rtc base=: what the RTC reads at power-on (it then runs on virtual time).
enum class RtcBase {
  Utc,        // the host's UTC date and time at start (default, as QEMU)
  LocalTime,  // the host's local date and time at start
  Fixed,      // rtc_start_s
};

struct MachineOptions {
  uint64_t ram_bytes = 128ull << 20;
  std::string bios_path = kDefaultBiosPath;
  std::vector<uint8_t> bios_image;  // used instead of bios_path when not empty (tests)
  std::string debugcon = "stdio";   // stdio | none | file:PATH
  // Whether -debugcon was given: only then does SeaBIOS's log port 0x402 go to the debug console
  // too (by default it is dropped, so SeaBIOS's serial output is not doubled on stdout).
  bool debugcon_explicit = false;
  TraceConfig trace;                // -d items; `out` is set from trace_path by the Machine
  std::string trace_path;           // -D FILE; empty: stderr
  bool no_reboot = false;           // triple fault / guest reset request ends the run instead
  double timeout_s = 0;             // wall-clock limit; 0: none
  bool print_stats = false;         // -stats: counters on stderr at the end
  std::vector<std::string> serial;  // -serial per COM port, COM1 first: stdio | none | file:PATH
  std::string vga = "std";          // -vga std | none
  std::string vga_bios_path = kDefaultVgaBiosPath;  // -vga-bios FILE: the VGA's PCI ROM
  std::string boot_order = "cd";    // -boot: device letters a/c/d in order, to fw_cfg bootorder
  std::array<std::string, 4> hd;    // -hda..-hdd raw disk images: IDE primary master/slave,
                                    // secondary master/slave; empty: no drive
  std::string cdrom;                // -cdrom image: ATAPI drive on the secondary master
  bool snapshot = false;            // -snapshot: disk writes stay in memory, images unchanged
  std::string kernel;               // -kernel bzImage: direct Linux boot (32-bit protocol, no BIOS)
  std::string initrd;               // -initrd FILE: the kernel's initial RAM disk
  std::string append;               // -append CMDLINE: the kernel command line
  IcountOptions icount;             // -icount
  bool lockstep = false;            // -lockstep: check the engine against a reference machine
  unsigned block_insns = 64;        // interpreter block size cap (internal; 1 for the lockstep reference)
  std::string engine = "translator";  // -engine: translator (default) or interpreter
  bool perf_map = false;            // -perfmap: write /tmp/perf-<pid>.map for translated code
  bool shadow_trace = false;        // -shadow-trace: trace guest page-table writes (translator)
  RtcBase rtc_base = RtcBase::Utc;  // -rtc base=
  int64_t rtc_start_s = 0;          // RtcBase::Fixed: the date, seconds since 1970-01-01 UTC
};

}  // namespace bt86
