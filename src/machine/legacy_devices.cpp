// The legacy ISA devices (see legacy_devices.h).
#include "machine/legacy_devices.h"

#include <stdexcept>

namespace bt86 {

namespace {
constexpr uint16_t kComBase[LegacyDevices::kMaxSerialPorts] = {Uart16550::kCom1Base,
                                                               Uart16550::kCom2Base};
constexpr unsigned kComIrq[LegacyDevices::kMaxSerialPorts] = {Uart16550::kCom1Irq,
                                                              Uart16550::kCom2Irq};
}  // namespace

LegacyDevices::LegacyDevices(const MachineOptions& options, PhysMem& mem, VirtualClock& clock)
    : rtc_(clock), kbc_(mem), port92_(mem) {
  fill_pc_cmos(rtc_, PcCmosConfig{options.ram_bytes, options.boot_order});
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
