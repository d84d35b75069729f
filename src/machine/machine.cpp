// The machine (see machine.h): wiring of memory, buses, clock, CPU and devices, and the run loop.
// The loop alternates CPU time slices with firing due timers. With host time (the default) a
// slice lasts at most ~1 ms, sized from the measured guest speed so the next timer deadline is
// met, and a halted CPU sleeps until the next deadline instead of spinning. With -icount a slice
// is exactly the instructions until the next deadline (the CPU may finish its block beyond it),
// and a halted CPU moves virtual time on to the deadline (sleep=on: after waiting that long in
// host time): nothing the guest sees depends on the host, see docs/deterministic.md. The run
// ends on an exit-port write, a triple fault with -no-reboot, a halt nothing can wake, or the
// -timeout (wall time in both modes).
#include "machine/machine.h"

#include <poll.h>

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <stdexcept>

#include "cpu/interpreter.h"
#include "translate/translator.h"
#include "devices/host_file.h"
#include "machine/bios_image.h"
#include "machine/code_tracking.h"
#include "machine/ide_drives.h"

namespace bt86 {

namespace {

constexpr uint64_t kSliceNs = 1'000'000;          // longest CPU slice between checks
constexpr uint64_t kMaxHaltSleepNs = 10'000'000;  // a halted CPU rechecks at least this often
constexpr uint64_t kMinSliceInsns = 64;
constexpr uint64_t kMinMeasuredNs = 20'000;       // shorter slices are too noisy to measure
constexpr double kInitialInsnsPerNs = 0.01;       // 10 MIPS until measured
// -icount: the longest slice, so the loop still polls front ends and checks -timeout while no
// timer is due for long. Slice ends are not visible to the guest: timers fire at the first block
// boundary at or after their deadline however the instructions before it were sliced.
constexpr uint64_t kMaxIcountSliceInsns = 1'000'000;

// The Machine's clock: host time, or with -icount the CPU's instruction counter (`count` is not
// called before the CPU is built: the clock is built first).
VirtualClock make_clock(const IcountOptions& icount, std::function<uint64_t()> count) {
  if (!icount.enabled) return VirtualClock();
  return VirtualClock(VirtualClock::InstructionCount{std::move(count), icount.shift});
}

double host_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

FILE* open_trace_file(const std::string& path) {
  if (path.empty()) return nullptr;
  return open_output_file(path, "-D");
}

// -lockstep: both machines must start their RTCs at the same second, so a host-time base is
// resolved to a fixed date once, before either machine exists.
MachineOptions resolve_rtc_for_lockstep(MachineOptions o) {
  if (!o.lockstep || o.rtc_base == RtcBase::Fixed) return o;
  std::time_t now = std::time(nullptr);
  if (o.rtc_base == RtcBase::LocalTime) {
    std::tm local{};
    localtime_r(&now, &local);
    now += local.tm_gmtoff;
  }
  o.rtc_base = RtcBase::Fixed;
  o.rtc_start_s = int64_t(now);
  return o;
}

// The reference machine of -lockstep: the same machine, but silent (serial output to /dev/null,
// no debug console, traces or stats), disks as -snapshot, and the interpreter with one
// instruction per block.
MachineOptions reference_options(const MachineOptions& test) {
  MachineOptions o = test;
  o.lockstep = false;
  o.block_insns = 1;
  o.engine = "interpreter";
  o.perf_map = false;
  for (std::string& s : o.serial)
    if (s != "none") s = "file:/dev/null";
  o.debugcon = "none";
  o.debugcon_explicit = false;
  o.trace = TraceConfig{};
  o.trace_path.clear();
  o.print_stats = false;
  o.snapshot = true;
  o.timeout_s = 0;
  return o;
}

std::unique_ptr<Engine> make_engine(const MachineOptions& o, Cpu& cpu) {
  if (o.engine == "interpreter") return std::make_unique<Interpreter>(cpu, Interpreter::Policy{o.block_insns});
  Translator::Options t;
  if (o.perf_map) t.perf_map = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  t.shadow_trace = o.shadow_trace;
  try {
    return std::make_unique<Translator>(cpu, t);
  } catch (const std::runtime_error& e) {
    // No executable memory for the code cache (a hardened host): the guest still runs.
    std::fprintf(stderr, "bt86: %s; running the interpreter instead of the translator\n", e.what());
    return std::make_unique<Interpreter>(cpu, Interpreter::Policy{o.block_insns});
  }
}

void sleep_ns(uint64_t ns) {
  timespec ts{time_t(ns / 1'000'000'000ull), long(ns % 1'000'000'000ull)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

}  // namespace

Machine::Machine(const MachineOptions& options)
    : opt_(resolve_rtc_for_lockstep(options)),
      trace_file_(open_trace_file(options.trace_path)),
      mem_(options.ram_bytes),
      clock_(make_clock(options.icount, [this] { return cpu_.s.icount; })),
      cpu_(mem_, io_, clock_),
      engine_(make_engine(options, cpu_)),
      debugcon_(options.debugcon),
      firmware_log_sink_("none"),
      insns_per_ns_(kInitialInsnsPerNs) {
  std::vector<uint8_t> from_file;
  if (opt_.bios_image.empty()) from_file = read_bios_image(opt_.bios_path);
  // Below the BIOS, the legacy BIOS area reads as zeros while the chipset routes it to PCI (as
  // QEMU's pc.rom); SeaBIOS shadows it with RAM early on.
  mem_.add_rom(0xC0000, std::vector<uint8_t>(0x40000), "legacy BIOS area");
  map_bios(mem_, opt_.bios_image.empty() ? from_file : opt_.bios_image);

  debugcon_.attach(io_);
  exit_dev_.attach(io_);
  exit_dev_.on_exit = [this](int) { cpu_.stop(); };
  devices_ = {&debugcon_, &exit_dev_};
  // Interrupts and timers: the PIC pair delivers to the CPU; the PIT, x87 FERR# and (later)
  // other devices raise its lines.
  pic_.attach(io_);
  cpu_.intc = &pic_;
  pic_.on_intr_raised = [this] { cpu_.interrupt_window(); };
  pit_.attach(io_);
  pit_.irq0 = IrqLine(&pic_, 0);
  pic_.on_acknowledge = [this](unsigned irq) { if (irq == 0) pit_.irq0_acknowledged(); };
  port61_.attach(io_);
  ferr_latch_.attach(io_);
  ferr_latch_.irq13 = IrqLine(&pic_, FerrLatch::kIrq);
  cpu_.ferr = IrqLine(&ferr_latch_, 0);
  devices_.insert(devices_.end(), {&pic_, &pit_, &port61_, &ferr_latch_});
  // Legacy ISA devices; a guest reset request or Ctrl-A x is acted on between CPU slices.
  legacy_.attach(io_, &pic_);
  legacy_.on_reset_request = [this] { note_guest_reset(); };
  legacy_.on_quit = [this] { request_quit("quit (Ctrl-A x)"); };
  for (Device* d : legacy_.devices()) devices_.push_back(d);
  if (opt_.vga == "std") {
    vga_ = std::make_unique<Vga>(&clock_);
    vga_->attach(io_, mem_);
    const std::vector<uint8_t> vga_bios = load_vga_bios(opt_.vga_bios_path);
    vga_pci_ = std::make_unique<VgaPci>(*vga_, vga_bios);
    if (!opt_.kernel.empty()) text_font_ = find_vga_bios_font(vga_bios);  // for mode 3 at reset
    devices_.insert(devices_.end(), {vga_.get(), vga_pci_.get()});
  }

  // PCI and QEMU's firmware interface: host bridge, PIIX3, the VGA at 00:02.0 and fw_cfg. A
  // reset requested at 0xCF9 is a guest reset request like the keyboard controller's.
  // SeaBIOS's debug log (QEMU's debugcon port 0x402) joins port 0xE9 on the debug console when
  // -debugcon was given; otherwise it goes to a console that drops it.
  pci_.attach(PciBus::devfn(0, 0), &host_bridge_);
  pci_.attach(PciBus::devfn(1, 0), &piix3_);
  // IDE drives from -hda..-hdd/-cdrom (an unusable image ends the start-up with a message).
  attach_ide_drives(ide_, opt_);
  ide_.attach(io_, &pic_);
  pci_.attach(PciBus::devfn(1, 1), &piix3_ide_);
  ide_.set_bus_master_enable([this] { return piix3_ide_.bus_master_enabled(); });
  devices_.insert(devices_.end(), {&ide_, &piix3_ide_});
  if (vga_pci_) pci_.attach(PciBus::devfn(2, 0), vga_pci_.get());
  // ACPI: the PIIX4 PM function and pvpanic, the tables on fw_cfg for SeaBIOS. The guest powering
  // off (S5) or reporting a panic ends the run between CPU slices.
  acpi_.attach(pci_, io_, fw_cfg_, &pic_);
  acpi_.on_power_off = [this] { guest_powered_off_ = true; cpu_.stop(); };
  acpi_.on_panic = [this] { guest_panicked_ = true; cpu_.stop(); };
  for (Device* d : acpi_.devices()) devices_.push_back(d);
  pci_.on_reset_request = [this] { note_guest_reset(); };
  fw_cfg_.attach(io_);
  constexpr uint16_t kSeabiosDebugPort = 0x402;
  io_.register_ports(kSeabiosDebugPort, 1, opt_.debugcon_explicit ? &debugcon_ : &firmware_log_sink_);
  track_content_changes(mem_, cpu_);  // DMA/loader writes and PAM switches drop stale code
  devices_.insert(devices_.end(), {&pci_, &host_bridge_, &piix3_, &fw_cfg_});

  cpu_.trace = opt_.trace;
  cpu_.trace.out = trace_file_ ? trace_file_.get() : stderr;
  if (opt_.trace.unimp) io_.report_unclaimed(cpu_.trace.out);
  if (!opt_.kernel.empty()) {
    linux_ = std::make_unique<LinuxLoader>(opt_.kernel, opt_.initrd, opt_.append, opt_.ram_bytes);
    linux_->set_acpi_tables(acpi_.tables_image_at(linux_layout::kEbda));
    const LinuxScreenChoice video = choose_linux_screen(
        opt_.append, {vga_ != nullptr, !text_font_.empty(), VgaPci::kFirmwareLfbAddress, Vga::kVramBytes});
    if (!video.warning.empty()) std::fprintf(stderr, "bt86: %s\n", video.warning.c_str());
    linux_->set_screen(video.screen);
  }
  if (opt_.lockstep) set_up_lockstep();
  clock_.pause();  // virtual time starts with run()
  reset();
}

const Translator* Machine::translator() const {
  const Engine* e = engine_under_test_ ? engine_under_test_.get() : engine_.get();
  return dynamic_cast<const Translator*>(e);
}

void Machine::set_up_lockstep() {
  if (!opt_.icount.enabled)
    throw std::invalid_argument("-lockstep needs -icount shift=N: the two machines must see the same time");
  lockstep_peer_ = std::make_unique<Machine>(reference_options(opt_));
  engine_under_test_ = std::move(engine_);
  auto ls = std::make_unique<Lockstep>(Lockstep::Side{*engine_under_test_, cpu_},
                                       Lockstep::Side{*lockstep_peer_->engine_, lockstep_peer_->cpu_},
                                       stderr);
  lockstep_ = ls.get();
  engine_ = std::move(ls);
}

// At the end of a -lockstep run: a last RAM comparison and a summary line; the exit code for a
// divergence.
int Machine::finish_lockstep() {
  if (!lockstep_->diverged()) lockstep_->check_ram();
  std::fprintf(stderr, "bt86: lockstep: %llu blocks checked, %llu instructions, %s\n",
               (unsigned long long)lockstep_->blocks_checked(), (unsigned long long)cpu_.s.icount,
               lockstep_->diverged() ? "DIVERGED" : "0 divergences");
  return lockstep_->diverged() ? exit_code::kLockstepDivergence : kStillRunning;
}

Machine::~Machine() = default;

void Machine::reset() {
  if (lockstep_peer_) {
    lockstep_peer_->guest_reset_requested_ = false;
    lockstep_peer_->reset();
  }
  mem_.set_a20(true);
  for (Device* d : devices_) d->reset();
  cpu_.reset();
  if (linux_) {  // the 32-bit boot protocol: no BIOS code runs, so set up what SeaBIOS would
    acpi_.enable_as_firmware_would();
    piix3_ide_.enable_as_firmware_would();
    if (vga_pci_) vga_pci_->enable_as_firmware_would();
    if (vga_) set_up_linux_screen(*vga_, linux_->screen(), text_font_);
    linux_->load(mem_, cpu_);
  }
}

int Machine::run() {
  const double start = host_seconds();
  clock_.resume();
  if (lockstep_peer_) lockstep_peer_->clock_.resume();
  int code = kStillRunning;
  while (code == kStillRunning) {
    poll_frontends();
    clock_.run_due();
    if (lockstep_peer_) lockstep_peer_->clock_.run_due();
    if (exit_dev_.requested()) {
      code = exit_dev_.exit_code();
    } else if (guest_powered_off_) {
      if (opt_.print_stats) std::fprintf(stderr, "bt86: guest powered off\n");
      code = exit_code::kEndedOnRequest;  // silent, as QEMU
    } else if (guest_panicked_) {
      std::fprintf(stderr, "bt86: guest kernel panicked (pvpanic)\n");
      code = exit_code::kGuestPanic;
    } else if (quit_reason_) {
      std::fprintf(stderr, "bt86: %s\n", quit_reason_);
      code = exit_code::kEndedOnRequest;
    } else if (guest_reset_requested_) {
      code = on_guest_reset();
    } else if (cpu_.shutdown()) {
      code = on_shutdown();
    } else if (opt_.timeout_s > 0 && host_seconds() - start >= opt_.timeout_s) {
      std::fprintf(stderr, "bt86: timeout: guest still running after %g s\n", opt_.timeout_s);
      code = exit_code::kTimeout;
    } else if (paused_) {
      sleep_ns(kPollNs);
    } else if (cpu_.halted()) {
      code = wait_while_halted();
    } else {
      run_slice();
      if (lockstep_ && lockstep_->diverged()) code = finish_lockstep();
    }
  }
  if (lockstep_ && !lockstep_->diverged()) {
    const int ls = finish_lockstep();
    if (ls != kStillRunning) code = ls;
  }
  clock_.pause();
  if (lockstep_peer_) lockstep_peer_->clock_.pause();
  debugcon_.flush();
  std::fflush(cpu_.trace.out);
  if (opt_.print_stats) print_stats(host_seconds() - start);
  return code;
}

void Machine::poll_frontends() {
  if (frontends_.empty()) return;
  const uint64_t now = uint64_t(host_seconds() * 1e9);
  if (now < next_poll_ns_) return;
  next_poll_ns_ = now + kPollNs;
  for (Frontend* f : frontends_) f->poll(*this);
}

void Machine::pause() {
  if (paused_) return;
  paused_ = true;
  clock_.pause();
  if (lockstep_peer_) lockstep_peer_->clock_.pause();
  cpu_.stop();
}

void Machine::resume() {
  if (!paused_) return;
  paused_ = false;
  clock_.resume();
  if (lockstep_peer_) lockstep_peer_->clock_.resume();
}

void Machine::request_quit(const char* why) {
  quit_reason_ = why;
  cpu_.stop();
}

int Machine::on_guest_reset() {
  guest_reset_requested_ = false;
  const bool external = external_reset_;
  external_reset_ = false;
  if (opt_.no_reboot && !external) {
    std::fprintf(stderr, "bt86: guest requested a reset with -no-reboot: ending the run\n");
    return exit_code::kEndedOnRequest;
  }
  reset();
  return kStillRunning;
}

int Machine::on_shutdown() {
  if (opt_.no_reboot) {
    std::fprintf(stderr, "bt86: guest triple fault (shutdown) with -no-reboot: ending the run\n");
    return exit_code::kEndedOnRequest;  // as QEMU: Linux's reboot=triple is a reboot like any other
  }
  reset();  // silently, as a PC does (a reboot loop shows in -d int and ends by -timeout)
  return kStillRunning;
}

int Machine::wait_while_halted() {
  const char* why = nullptr;
  if (!(cpu_.s.eflags & fl::IF)) why = "interrupts disabled";
  else if (!cpu_.intc) why = "no interrupt controller to wake it";
  if (why) {
    std::fprintf(stderr, "bt86: guest halted with %s (CS:EIP=%04x:%08x)\n", why,
                 cpu_.s.seg[CS].sel, cpu_.s.eip);
    return exit_code::kHaltedForever;
  }
  if (cpu_.intc->intr_pending()) {
    run_slice();  // the CPU takes the interrupt and leaves the halt
    return kStillRunning;
  }
  const uint64_t now = clock_.now_ns(), deadline = clock_.next_deadline();
  if (deadline <= now) return kStillRunning;  // the loop fires it next
  if (clock_.counts_instructions() && deadline != UINT64_MAX) {
    // -icount: a halted CPU retires nothing, so time moves on by itself to the deadline, exactly
    // (QEMU's icount "warp"). With sleep=on the host waits as long first, in steps so front ends
    // are still polled; the guest sees the same either way.
    uint64_t step = deadline - now;
    if (opt_.icount.sleep) {
      step = std::min(step, kMaxHaltSleepNs);
      sleep_ns(step);
    }
    clock_.warp_to(now + step);
    if (lockstep_peer_) lockstep_peer_->clock_.warp_to(now + step);
    return kStillRunning;
  }
  // Host time; or -icount with no timer pending at all, where only a front end or host input
  // (not reproducible) can wake the CPU. Serial input wakes it at once, as on a PC.
  sleep_until_input(std::min(deadline - now, kMaxHaltSleepNs));
  return kStillRunning;
}

void Machine::sleep_until_input(uint64_t ns) {
  pollfd fds[2];
  Uart16550* uarts[2];
  nfds_t n = 0;
  for (size_t i = 0; i < 2; ++i) {
    Uart16550* u = legacy_.uart(i);
    if (!u || u->input_fd() < 0) continue;
    fds[n] = pollfd{u->input_fd(), POLLIN, 0};
    uarts[n++] = u;
  }
  if (n == 0) return sleep_ns(ns);
  const timespec ts{time_t(ns / 1'000'000'000ull), long(ns % 1'000'000'000ull)};
  if (ppoll(fds, n, &ts, nullptr) <= 0) return;  // the timeout, or a signal (the loop rechecks)
  for (nfds_t i = 0; i < n; ++i)
    if (fds[i].revents) uarts[i]->poll_now();
}

void Machine::run_slice() {
  if (clock_.counts_instructions()) {
    const uint64_t until = clock_.insns_until(clock_.next_deadline());
    engine_->run(std::clamp<uint64_t>(until, 1, kMaxIcountSliceInsns));
    return;
  }
  const uint64_t now = clock_.now_ns(), deadline = clock_.next_deadline();
  const uint64_t span_ns = deadline <= now ? 0 : std::min(deadline - now, kSliceNs);
  const uint64_t want = std::max(kMinSliceInsns, uint64_t(insns_per_ns_ * double(span_ns)));
  const uint64_t done = engine_->run(want);
  const uint64_t took_ns = clock_.now_ns() - now;
  if (done >= want / 2 && took_ns >= kMinMeasuredNs)
    insns_per_ns_ = 0.75 * insns_per_ns_ + 0.25 * (double(done) / double(took_ns));
}

void Machine::print_stats(double wall_s) const {
  const CpuStats& s = cpu_.stats;
  const EngineStats e = engine_->stats();
  const CpuState& r = cpu_.s;
  char clock[64] = "host";
  if (opt_.icount.enabled)
    std::snprintf(clock, sizeof clock, "icount shift=%u,sleep=%s", opt_.icount.shift,
                  opt_.icount.sleep ? "on" : "off");
  std::fprintf(stderr,
               "bt86 stats:\n"
               "  engine                      %s\n"
               "  guest instructions retired  %llu\n"
               "  wall seconds                %.3f\n"
               "  guest MIPS                  %.2f\n"
               "  blocks decoded              %llu\n"
               "  block executions            %llu\n"
               "  block lookups               %llu\n"
               "  block links made            %llu\n"
               "  blocks invalidated          %llu\n"
               "  one-off (uncached) blocks   %llu\n"
               "  exceptions                  %llu\n"
               "  interrupts                  %llu\n"
               "  clock                       %s\n"
               "  virtual nanoseconds         %llu\n",
               engine_->name(), (unsigned long long)r.icount, wall_s,
               wall_s > 0 ? double(r.icount) / wall_s / 1e6 : 0.0, (unsigned long long)e.blocks_made,
               (unsigned long long)e.block_execs, (unsigned long long)e.lookups,
               (unsigned long long)e.links_made, (unsigned long long)e.invalidations,
               (unsigned long long)e.one_off_blocks, (unsigned long long)s.exceptions,
               (unsigned long long)s.interrupts, clock, (unsigned long long)clock_.now_ns());
  if (const Translator* t = translator()) std::fprintf(stderr, "  translator:\n%s", t->describe_stats().c_str());
  // The architectural state the run ended with, on one line, so two runs compare with a diff.
  std::fprintf(stderr,
               "  final registers             EAX=%08x EBX=%08x ECX=%08x EDX=%08x ESI=%08x EDI=%08x "
               "EBP=%08x ESP=%08x EIP=%08x EFL=%08x CS=%04x SS=%04x DS=%04x ES=%04x FS=%04x GS=%04x "
               "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n",
               r.r[EAX], r.r[EBX], r.r[ECX], r.r[EDX], r.r[ESI], r.r[EDI], r.r[EBP], r.r[ESP], r.eip,
               r.eflags, r.seg[CS].sel, r.seg[SS].sel, r.seg[DS].sel, r.seg[ES].sel, r.seg[FS].sel,
               r.seg[GS].sel, r.cr0, r.cr2, r.cr3, r.cr4);
}

}  // namespace bt86
