// The PC around the CPU: guest memory with the BIOS mapped, the port I/O bus, virtual time, the
// CPU and the devices, plus the run loop that drives them until the guest (or a limit) ends the
// run. Built from MachineOptions, so tests can make machines without the command line.
#pragma once
#include <cstdio>
#include <memory>
#include <vector>
#include "cpu/cpu.h"
#include "cpu/engine.h"
#include "cpu/lockstep.h"
#include "devices/clock.h"
#include "devices/debug_console.h"
#include "devices/exit_device.h"
#include "devices/ferr_latch.h"
#include "devices/fw_cfg.h"
#include "devices/i440fx.h"
#include "devices/io_bus.h"
#include "devices/pci.h"
#include "devices/pic8259.h"
#include "devices/piix3.h"
#include "devices/pit8254.h"
#include "devices/system_control_port.h"
#include "devices/vga.h"
#include "devices/vga_pci.h"
#include "machine/acpi_platform.h"
#include "machine/legacy_devices.h"
#include "machine/linux_loader.h"
#include "machine/machine_options.h"
#include "mmu/phys_mem.h"

namespace bt86 {

class Translator;

class Machine;

// A front end (SDL window, monitor, ...) that the run loop polls on the main thread, about every
// Machine::kPollNs of wall time, whether the guest runs, halts or is paused.
class Frontend {
 public:
  virtual ~Frontend() = default;
  virtual void poll(Machine& m) = 0;
};

class Machine {
 public:
  static constexpr uint64_t kPollNs = 10'000'000;
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

  // Front-end control (monitor commands, window events). Safe to call from Frontend::poll.
  void add_frontend(Frontend* f) { frontends_.push_back(f); }
  void pause();                          // the CPU and virtual time stand still ("stop")
  void resume();                         // "cont"
  bool paused() const { return paused_; }
  void request_quit(const char* why);    // ends run() with exit code 0, stderr gives `why`
  void request_reset() { external_reset_ = true; note_guest_reset(); }

  PhysMem& mem() { return mem_; }
  IoBus& io() { return io_; }
  VirtualClock& clock() { return clock_; }
  Cpu& cpu() { return cpu_; }
  Engine& engine() { return *engine_; }
  // The binary translator, if it is the engine (or the engine under -lockstep test); else null.
  const Translator* translator() const;
  Vga* vga() { return vga_.get(); }  // null with -vga none
  I8042& keyboard_controller() { return legacy_.kbc(); }  // its keyboard() and mouse() take input

 private:
  static constexpr int kStillRunning = -1;
  int on_shutdown();        // triple fault: reset, or end with -no-reboot
  // A reset request (8042, port 0x92, 0xCF9, a front end), acted on between CPU slices.
  void note_guest_reset() { guest_reset_requested_ = true; cpu_.stop(); }
  int on_guest_reset();     // 8042 / port 0x92 reset request: reset, or end with -no-reboot
  void sleep_until_input(uint64_t ns);  // at most ns; less if serial input arrives
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
  std::unique_ptr<Engine> engine_;   // runs guest code over cpu_ (-engine: the translator by default)
  // -lockstep: engine_ is a Lockstep over engine_under_test_ (on this machine) and the reference
  // machine's engine; the loop mirrors its timer, halt and reset steps on the reference machine.
  std::unique_ptr<Machine> lockstep_peer_;
  std::unique_ptr<Engine> engine_under_test_;
  Lockstep* lockstep_ = nullptr;
  void set_up_lockstep();
  int finish_lockstep();
  DebugConsole debugcon_;
  DebugConsole firmware_log_sink_;  // port 0x402 when -debugcon was not given: dropped
  ExitDevice exit_dev_;
  Pic8259 pic_;                      // the 8259 pair: the CPU's interrupt controller
  Pit8254 pit_{clock_};              // counter 0 -> IRQ0
  SystemControlPort port61_{pit_};   // port 0x61: counter 2 gate / OUT
  FerrLatch ferr_latch_;             // x87 FERR# -> IRQ13, cleared at port 0xF0
  PciBus pci_{io_, mem_};            // PCI bus 0, configuration mechanism #1 (0xCF8/0xCFC)
  I440fx host_bridge_{mem_};         // 00:00.0: PAM shadow RAM control of 0xC0000-0xFFFFF
  Piix3Isa piix3_;                   // 00:01.0: ISA bridge (PIRQ routing registers)
  IdeController ide_{mem_};          // IDE channels 0x1F0/0x170 (IRQ 14/15) with their drives
  Piix3Ide piix3_ide_{ide_};         // 00:01.1: the IDE PCI function (BAR4: bus-master DMA)
  FwCfg fw_cfg_{FwCfgConfig{opt_.ram_bytes, opt_.boot_order, true}};  // QEMU firmware config
  LegacyDevices legacy_{opt_, mem_, clock_};  // RTC/CMOS, 8042, port 0x92, COM ports
  // ACPI: PIIX4 PM (00:01.3), pvpanic (0x505) and the tables describing the machine.
  AcpiPlatform acpi_{clock_, AcpiConfig{opt_.ram_bytes, Piix4Pm::kFirmwarePmBase,
                                        {legacy_.uart(0) != nullptr, legacy_.uart(1) != nullptr}}};
  bool guest_powered_off_ = false;   // ACPI S5 (e.g. poweroff -f)
  bool guest_panicked_ = false;      // pvpanic "panicked"
  std::unique_ptr<LinuxLoader> linux_;  // -kernel: loads the kernel at every reset
  bool guest_reset_requested_ = false;
  const char* quit_reason_ = nullptr;  // Ctrl-A x on a stdio serial port, monitor "quit", ...
  bool external_reset_ = false;      // system_reset from a front end: resets even with -no-reboot
  bool paused_ = false;
  std::vector<Frontend*> frontends_;
  uint64_t next_poll_ns_ = 0;        // host time of the next Frontend::poll round
  void poll_frontends();
  std::unique_ptr<Vga> vga_;         // -vga std
  std::unique_ptr<VgaPci> vga_pci_;  // its PCI function, the VGA BIOS in its ROM BAR
  std::vector<uint8_t> text_font_;   // -kernel: the VGA BIOS's 8x16 font, for mode 3 at reset
  std::vector<Device*> devices_;  // every device, for reset()
  double insns_per_ns_;           // measured guest speed, sizes CPU time slices
};

}  // namespace bt86
