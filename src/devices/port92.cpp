// System Control Port A (see port92.h).
#include "devices/port92.h"

namespace bt86 {

void Port92::io_write(uint16_t port, uint32_t value, unsigned size) {
  value_ = uint8_t(value & ~kResetBit);
  mem_.set_a20((value & kA20Bit) != 0);
  if ((value & kResetBit) && on_reset_request) on_reset_request();
}

}  // namespace bt86
