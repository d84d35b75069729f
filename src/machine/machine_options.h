// What a Machine is built from (the command line fills this in; tests build it directly) and
// the process exit codes a run can end with. README.md documents both for users.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "cpu/cpu.h"

namespace bt86 {

// Exit codes of bt86 itself. A guest's write of V to the exit port (0xF4) ends the run with
// V & 0xFF instead, so a guest can also produce these values.
namespace exit_code {
constexpr int kStartupError = 1;    // bad command line, missing or unusable BIOS, unopenable file
constexpr int kHaltedForever = 2;   // guest halted and nothing can wake it (e.g. CLI; HLT)
constexpr int kTripleFault = 3;     // triple fault (shutdown) with -no-reboot
constexpr int kTimeout = 124;       // -timeout elapsed (as timeout(1))
constexpr int kInternalError = 125; // an emulator bug surfaced as a C++ exception
}  // namespace exit_code

inline constexpr const char* kDefaultBiosPath = "/usr/share/seabios/bios.bin";

struct MachineOptions {
  uint64_t ram_bytes = 128ull << 20;
  std::string bios_path = kDefaultBiosPath;
  std::vector<uint8_t> bios_image;  // used instead of bios_path when not empty (tests)
  std::string debugcon = "stdio";   // stdio | none | file:PATH
  TraceConfig trace;                // -d items; `out` is set from trace_path by the Machine
  std::string trace_path;           // -D FILE; empty: stderr
  bool no_reboot = false;           // triple fault ends the run instead of resetting
  double timeout_s = 0;             // wall-clock limit; 0: none
  bool print_stats = false;         // -stats: counters on stderr at the end
};

}  // namespace bt86
