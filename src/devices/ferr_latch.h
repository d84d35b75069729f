// The PC motherboard's x87 error logic: when the CPU asserts FERR# (an unmasked x87 exception
// reported with CR0.NE = 0) a latch raises IRQ13; a write of any value to port 0xF0 clears the
// latch (and on real boards asserts IGNNE#, so the CPU goes on ignoring the pending exception,
// which is what bt86's x87 does with CR0.NE = 0 anyway). The CPU drives it through an IrqLine
// (Cpu::ferr) connected to this sink.
#pragma once
#include <cstdint>
#include "devices/device.h"
#include "devices/io_bus.h"

namespace bt86 {

class FerrLatch : public Device, public IrqSink {
 public:
  static constexpr uint16_t kPort = 0xF0;
  static constexpr unsigned kIrq = 13;

  void attach(IoBus& io) { io.register_ports(kPort, 1, this); }
  const char* name() const override { return "ferr-latch"; }
  void reset() override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;
  void set_irq(unsigned irq, bool level) override;  // FERR# from the CPU (irq ignored: one input)
  bool latched() const { return latched_; }

  IrqLine irq13;

 private:
  bool latched_ = false;
};

}  // namespace bt86
