// System control port B, 0x61 (see system_control_port.h).
#include "devices/system_control_port.h"

namespace bt86 {

void SystemControlPort::reset() {
  written_ = 0;
  refresh_ = false;
  pit_.set_gate(kSpeakerCounter, false);
}

uint32_t SystemControlPort::io_read(uint16_t port, unsigned size) {
  refresh_ = !refresh_;
  const uint8_t value = uint8_t((written_ & kWritable) | (refresh_ ? kRefreshToggle : 0) |
                                (pit_.out(kSpeakerCounter) ? kOut2 : 0));
  return value | (0xFFFFFFFFu >> (32 - 8 * size) & ~0xFFu);  // wider reads: 0x62 up float
}

void SystemControlPort::io_write(uint16_t port, uint32_t value, unsigned size) {
  written_ = uint8_t(value) & kWritable;
  pit_.set_gate(kSpeakerCounter, written_ & kGate2);
}

}  // namespace bt86
