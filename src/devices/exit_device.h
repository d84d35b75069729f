// Exit device on port 0xF4 (in the spirit of QEMU's isa-debug-exit): a write of V, of any size,
// ends the run with process exit code V & 0xFF. Unlike QEMU, which exits with (V << 1) | 1, bt86
// passes the value through unchanged so a guest test can exit with 0 for success.
#pragma once
#include <functional>
#include "devices/device.h"
#include "devices/io_bus.h"

namespace bt86 {

class ExitDevice : public Device {
 public:
  static constexpr uint16_t kPort = 0xF4;

  void attach(IoBus& io) { io.register_ports(kPort, 1, this); }
  const char* name() const override { return "exit-device"; }
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

  bool requested() const { return requested_; }
  int exit_code() const { return exit_code_; }

  // Called on each exit request, e.g. to stop the CPU so the machine loop sees it promptly.
  std::function<void(int)> on_exit;

 private:
  bool requested_ = false;
  int exit_code_ = 0;
};

}  // namespace bt86
