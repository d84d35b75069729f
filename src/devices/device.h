// The one small device interface: a device answers port I/O and/or MMIO, may drive IRQ lines,
// and can be reset. Devices register their ports on the IoBus and MMIO ranges on PhysMem.
#pragma once
#include <cstdint>
#include <functional>
#include "mmu/phys_mem.h"

namespace bt86 {

class Device : public MmioHandler {
 public:
  ~Device() override = default;
  virtual const char* name() const = 0;
  virtual void reset() {}
  // size is 1, 2 or 4 bytes.
  virtual uint32_t io_read(uint16_t port, unsigned size) { return 0xFFFFFFFFu >> (32 - 8 * size); }
  virtual void io_write(uint16_t port, uint32_t value, unsigned size) {}
  uint32_t mmio_read(uint32_t paddr, unsigned size) override { return 0xFFFFFFFFu >> (32 - 8 * size); }
  void mmio_write(uint32_t paddr, uint32_t value, unsigned size) override {}
};

// Something that receives interrupt request levels (the PIC pair, later an APIC).
class IrqSink {
 public:
  virtual ~IrqSink() = default;
  virtual void set_irq(unsigned irq, bool level) = 0;
};

// One interrupt request line from a device to an IrqSink.
class IrqLine {
 public:
  IrqLine() = default;
  IrqLine(IrqSink* sink, unsigned irq) : sink_(sink), irq_(irq) {}
  void set(bool level) { if (sink_) sink_->set_irq(irq_, level); }
  void raise() { set(true); }
  void lower() { set(false); }
  void pulse() { set(true); set(false); }  // an edge
  bool connected() const { return sink_ != nullptr; }
 private:
  IrqSink* sink_ = nullptr;
  unsigned irq_ = 0;
};

// What the CPU sees of interrupt controllers: is an external interrupt pending, and which
// vector does acknowledging it give.
class InterruptSource {
 public:
  virtual ~InterruptSource() = default;
  virtual bool intr_pending() const = 0;
  virtual uint8_t acknowledge() = 0;  // INTA cycle: returns the vector
  // Connected by the machine to Cpu::interrupt_window(): called when INTR goes from inactive to
  // active, so a CPU in the middle of a block takes the interrupt after the current instruction.
  std::function<void()> on_intr_raised;

 protected:
  void signal_intr_raised() { if (on_intr_raised) on_intr_raised(); }
};

}  // namespace bt86
