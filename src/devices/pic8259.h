// The PC's pair of 8259A programmable interrupt controllers: the master at ports 0x20/0x21
// (IRQ0-7) and the slave at 0xA0/0xA1 (IRQ8-15), whose INT output drives the master's IRQ2.
// Each chip is programmed with the ICW1-ICW4 initialisation sequence and then OCW1 (mask),
// OCW2 (EOI, specific EOI, priority rotation) and OCW3 (special mask mode, poll, IRR/ISR read).
// Trigger mode per IRQ comes from the PIIX ELCR registers at 0x4D0/0x4D1 (or ICW1.LTIM):
// an edge input latches its request on the rising edge (so a device may pulse its line), a
// level input requests for as long as it is high. The CPU side is the INTR line
// (intr_pending(), kept as a cached flag) and the INTA cycle (acknowledge()), which returns
// the vector; an acknowledge with nothing requesting gives the spurious IRQ7 (or IRQ15) vector
// without setting an in-service bit, as the 8259A does. After reset a chip requests nothing
// (its INT output, and so INTR, stays low) until software has initialised it with ICW1-ICW4:
// the datasheet defines no vector before ICW2, and Bochs and QEMU deliver nothing there either.
#pragma once
#include <functional>
#include <cstdint>
#include "devices/device.h"
#include "devices/io_bus.h"

namespace bt86 {

// One 8259A. The pair below routes ports and the cascade; this class holds a chip's registers
// and its priority logic.
class I8259Chip {
 public:
  void reset();
  void set_input(unsigned line, bool level);   // line 0-7
  uint8_t read(unsigned a0);                   // port offset 0 or 1
  void write(unsigned a0, uint8_t value);
  // The line that would be acknowledged now, or -1 (the chip's INT output is this >= 0);
  // always -1 until the chip has been initialised.
  int pending_line() const;
  // The INTA cycle for `line` (which pending_line() returned): in-service bit, edge latch.
  void acknowledge(unsigned line);
  uint8_t vector_base() const { return icw2_ & 0xF8; }
  // Cascade mode with a slave on `line` (ICW3): the slave then supplies the vector.
  bool slave_on(unsigned line) const { return !single_ && (icw3_ >> line & 1); }

  uint8_t elcr = 0;        // PIIX edge/level control: bit set = level triggered
  uint8_t elcr_mask = 0;   // which ELCR bits are writable
  bool is_master = false;  // the special fully nested mode treats IRQ2 (the cascade) specially

  // Register views for tests and diagnostics.
  uint8_t irr() const;  // latched edge requests plus the levels of level-triggered inputs
  uint8_t isr() const { return isr_; }
  uint8_t imr() const { return imr_; }

 private:
  bool level_triggered(unsigned line) const { return ltim_ || (elcr >> line & 1); }
  // Priority rank (0 = highest) of the best set bit in `bits`, or 8 when none is set.
  unsigned best_rank(uint8_t bits) const;
  unsigned line_of_rank(unsigned rank) const { return (rank + highest_) & 7; }
  void write_command(uint8_t value);  // port offset 0: ICW1, OCW2 or OCW3
  void write_data(uint8_t value);     // port offset 1: ICW2-4 or OCW1
  void end_of_interrupt(uint8_t ocw2);
  uint8_t poll();

  uint8_t edge_latch_ = 0;     // requests latched by rising edges
  uint8_t lines_ = 0;          // current input levels
  uint8_t isr_ = 0, imr_ = 0;
  uint8_t icw2_ = 0;           // vector base in bits 7-3
  uint8_t icw3_ = 0;
  unsigned highest_ = 0;       // line with the highest priority (rotation moves it)
  // Where the ICW1-ICW4 sequence stands; Uninitialised from reset until ICW1.
  enum class Init : uint8_t { Uninitialised, Icw2, Icw3, Icw4, Done } init_ = Init::Uninitialised;
  bool icw4_needed_ = false, single_ = false, ltim_ = false;
  bool auto_eoi_ = false, rotate_on_auto_eoi_ = false, special_fully_nested_ = false;
  bool special_mask_ = false;
  bool read_isr_ = false;      // OCW3 RR/RIS: port offset 0 reads ISR instead of IRR
  bool poll_next_read_ = false;
};

class Pic8259 : public Device, public IrqSink, public InterruptSource {
 public:
  static constexpr uint16_t kMasterPort = 0x20, kSlavePort = 0xA0, kElcrPort = 0x4D0;
  static constexpr unsigned kCascadeLine = 2;

  Pic8259();
  void attach(IoBus& io);
  const char* name() const override { return "pic8259"; }
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

  // IRQ 0-15. IRQ2 is the cascade; as on the PC/AT bus, a device's IRQ2 arrives as IRQ9.
  void set_irq(unsigned irq, bool level) override;
  bool intr_pending() const override { return intr_; }
  uint8_t acknowledge() override;

  const I8259Chip& master() const { return master_; }
  const I8259Chip& slave() const { return slave_; }

  // Called after each INTA that delivered a device's request, with its IRQ (0-15): lets a timer
  // that keeps time by counting interrupts re-inject ticks it had to merge (Pit8254).
  std::function<void(unsigned irq)> on_acknowledge;

 private:
  I8259Chip& chip_at(uint16_t port) { return (port & 0x80) ? slave_ : master_; }
  I8259Chip& chip_at_elcr(uint16_t port) { return (port & 1) ? slave_ : master_; }
  uint8_t read_byte(uint16_t port);
  void write_byte(uint16_t port, uint8_t value);
  void update();  // slave INT -> master IRQ2, then the cached INTR level

  I8259Chip master_, slave_;
  bool intr_ = false;
};

}  // namespace bt86
