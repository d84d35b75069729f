// Exit device on port 0xF4 (see exit_device.h).
#include "devices/exit_device.h"

namespace bt86 {

void ExitDevice::io_write(uint16_t port, uint32_t value, unsigned size) {
  requested_ = true;
  exit_code_ = int(value & 0xFF);
  if (on_exit) on_exit(exit_code_);
}

}  // namespace bt86
