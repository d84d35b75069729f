// FERR# -> IRQ13 latch with the clear port 0xF0 (see ferr_latch.h).
#include "devices/ferr_latch.h"

namespace bt86 {

void FerrLatch::reset() {
  latched_ = false;
  irq13.lower();
}

void FerrLatch::set_irq(unsigned, bool level) {
  if (!level || latched_) return;  // the latch is set by FERR# and cleared only by port 0xF0
  latched_ = true;
  irq13.raise();
}

void FerrLatch::io_write(uint16_t, uint32_t, unsigned) {
  latched_ = false;
  irq13.lower();
}

}  // namespace bt86
