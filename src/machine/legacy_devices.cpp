// The legacy ISA devices (see legacy_devices.h).
#include "machine/legacy_devices.h"

#include <ctime>
#include <stdexcept>

namespace bt86 {

namespace {
constexpr uint16_t kComBase[LegacyDevices::kMaxSerialPorts] = {Uart16550::kCom1Base,
                                                               Uart16550::kCom2Base};
constexpr unsigned kComIrq[LegacyDevices::kMaxSerialPorts] = {Uart16550::kCom1Irq,
                                                              Uart16550::kCom2Irq};
}  // namespace

std::tm rtc_start_time(const MachineOptions& options) {
  const std::time_t t = options.rtc_base == RtcBase::Fixed ? std::time_t(options.rtc_start_s)
                                                           : std::time(nullptr);
  std::tm when{};
  if (options.rtc_base == RtcBase::LocalTime) localtime_r(&t, &when);
  else gmtime_r(&t, &when);
  return when;
}

LegacyDevices::LegacyDevices(const MachineOptions& options, PhysMem& mem, VirtualClock& clock)
    : LegacyDevices(options, mem, clock, rtc_start_time(options)) {}

LegacyDevices::LegacyDevices(const MachineOptions& options, PhysMem& mem, VirtualClock& clock,
                             const std::tm& rtc_start)
    : rtc_(clock, rtc_start), kbc_(mem), port92_(mem) {
  fill_pc_cmos(rtc_, PcCmosConfig{options.ram_bytes, options.boot_order, (rtc_start.tm_year + 1900) / 100});
  kbc_.on_reset_request = [this] { if (on_reset_request) on_reset_request(); };
  port92_.on_reset_request = [this] { if (on_reset_request) on_reset_request(); };

  if (options.serial.size() > kMaxSerialPorts)
    throw std::runtime_error("-serial: at most " + std::to_string(kMaxSerialPorts) + " serial ports (COM1, COM2)");
  for (size_t i = 0; i < options.serial.size(); ++i) {
    std::unique_ptr<SerialBackend> backend =
        make_serial_backend(options.serial[i], [this] { if (on_quit) on_quit(); });
    if (!backend) {  // "none": no port at all, as QEMU leaves it out
      uarts_.push_back(nullptr);
      continue;
    }
    uarts_.push_back(std::make_unique<Uart16550>(kComBase[i], clock, backend.get()));
    serial_backends_.push_back(std::move(backend));
  }
}

void LegacyDevices::attach(IoBus& io, IrqSink* irqs) {
  rtc_.attach(io);
  rtc_.connect_irq(irqs);
  kbc_.attach(io);
  kbc_.connect_irqs(irqs);
  port92_.attach(io);
  dma_.attach(io);
  for (size_t i = 0; i < uarts_.size(); ++i) {
    if (!uarts_[i]) continue;
    uarts_[i]->attach(io);
    uarts_[i]->connect_irq(irqs, kComIrq[i]);
  }
}

std::vector<Device*> LegacyDevices::devices() {
  std::vector<Device*> all = {&rtc_, &kbc_, &port92_, &dma_};
  for (const auto& uart : uarts_)
    if (uart) all.push_back(uart.get());
  return all;
}

}  // namespace bt86
