// The legacy ISA devices of the PC, built and wired as a group: the MC146818 RTC with the CMOS
// bytes the BIOS reads (from MachineOptions), the 8042 keyboard controller with its PS/2
// keyboard and mouse, System Control Port A (0x92), the 8237 DMA pair with its page registers
// (0x00-0x0F, 0xC0-0xDF, 0x80-0x8F), and the 16550A COM ports that -serial asks
// for (COM1 0x3F8/IRQ4, COM2 0x2F8/IRQ3). Guest reset requests (8042, port 0x92) and the
// Ctrl-A x quit key of a stdio serial port are passed to the Machine's callbacks. The RTC starts
// at the date -rtc base= gives (rtc_start_time()), and the CMOS century byte follows it.
#pragma once
#include <ctime>
#include <functional>
#include <memory>
#include <vector>
#include "devices/i8042.h"
#include "devices/pc_cmos.h"
#include "devices/isa_dma.h"
#include "devices/port92.h"
#include "devices/rtc_cmos.h"
#include "devices/serial_backend.h"
#include "devices/uart16550.h"
#include "machine/machine_options.h"

namespace bt86 {

// What the RTC reads at power-on for options.rtc_base: the host's UTC or local time now, or the
// fixed date (broken-down calendar time, tm_wday filled in).
std::tm rtc_start_time(const MachineOptions& options);

class LegacyDevices {
 public:
  static constexpr size_t kMaxSerialPorts = 2;

  // Throws std::runtime_error for more than two -serial ports or an unopenable serial file.
  LegacyDevices(const MachineOptions& options, PhysMem& mem, VirtualClock& clock);
  LegacyDevices(const MachineOptions& options, PhysMem& mem, VirtualClock& clock, const std::tm& rtc_start);
  LegacyDevices(const LegacyDevices&) = delete;
  LegacyDevices& operator=(const LegacyDevices&) = delete;

  void attach(IoBus& io, IrqSink* irqs);
  std::vector<Device*> devices();

  RtcCmos& rtc() { return rtc_; }
  I8042& kbc() { return kbc_; }
  Port92& port92() { return port92_; }
  Uart16550* uart(size_t index) { return index < uarts_.size() ? uarts_[index].get() : nullptr; }

  std::function<void()> on_reset_request;  // the guest asked for a CPU reset
  std::function<void()> on_quit;           // the user pressed Ctrl-A x

 private:
  RtcCmos rtc_;
  I8042 kbc_;
  Port92 port92_;
  IsaDma dma_;  // the 8237 pair and the page registers (incl. POST port 0x80)
  std::vector<std::unique_ptr<SerialBackend>> serial_backends_;  // outlive the UARTs
  std::vector<std::unique_ptr<Uart16550>> uarts_;                // null where -serial none
};

}  // namespace bt86
