// The PC around the CPU: guest memory with the BIOS mapped, the port I/O bus, virtual time, the
// CPU and the devices, plus the run loop that drives them until the guest (or a limit) ends the
// run. Built from MachineOptions, so tests can make machines without the command line.
#pragma once
#include <cstdio>
#include <memory>
#include <vector>
#include "cpu/cpu.h"
#include "devices/clock.h"
#include "devices/debug_console.h"
#include "devices/exit_device.h"
#include "devices/io_bus.h"
#include "machine/machine_options.h"
#include "mmu/phys_mem.h"

namespace bt86 {

class Machine {
 public:
  // Throws std::runtime_error (or std::invalid_argument) with a user-facing message when the
  // machine cannot be built: bad RAM size, unusable BIOS, unopenable debugcon or trace file.
  explicit Machine(const MachineOptions& options);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // Runs until the guest ends the run; returns the process exit code (see machine_options.h).
  int run();
  // The RESET line: CPU and devices to power-on state, A20 enabled; RAM keeps its contents.
  void reset();

  PhysMem& mem() { return mem_; }
  IoBus& io() { return io_; }
  VirtualClock& clock() { return clock_; }
  Cpu& cpu() { return cpu_; }

 private:
  static constexpr int kStillRunning = -1;
  int on_shutdown();        // triple fault: reset, or end with -no-reboot
  int wait_while_halted();  // sleep until a timer or interrupt can wake the CPU, or end the run
  void run_slice();         // one CPU time slice, sized to end near the next timer deadline
  void print_stats(double wall_s) const;

  struct FileCloser { void operator()(FILE* f) const { std::fclose(f); } };

  MachineOptions opt_;
  std::unique_ptr<FILE, FileCloser> trace_file_;  // -D file
  PhysMem mem_;
  IoBus io_;
  VirtualClock clock_;
  Cpu cpu_;
  DebugConsole debugcon_;
  ExitDevice exit_dev_;
  std::vector<Device*> devices_;  // every device, for reset()
  double insns_per_ns_;           // measured guest speed, sizes CPU time slices
};

}  // namespace bt86
