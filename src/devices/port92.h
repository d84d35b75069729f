// System Control Port A at 0x92 (the PS/2 "fast A20 and reset" port, as on the i440FX's PIIX).
// Bit 1 gates address line 20 (read back as written); writing bit 0 as 1 pulses the CPU reset
// line, which the machine turns into a reset through `on_reset_request`. Bit 0 reads as 0.
// The 8042's output port also drives A20; as on QEMU, the last write to either gate wins.
#pragma once
#include <functional>
#include "devices/device.h"
#include "devices/io_bus.h"
#include "mmu/phys_mem.h"

namespace bt86 {

class Port92 : public Device {
 public:
  static constexpr uint16_t kPort = 0x92;
  static constexpr uint8_t kResetBit = 0x01;
  static constexpr uint8_t kA20Bit = 0x02;

  explicit Port92(PhysMem& mem) : mem_(mem) {}
  void attach(IoBus& io) { io.register_ports(kPort, 1, this); }

  const char* name() const override { return "port92"; }
  void reset() override { value_ = kA20Bit; }  // the machine's reset enables A20
  uint32_t io_read(uint16_t port, unsigned size) override { return value_; }
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

  // Called when the guest requests a reset; the machine performs it between instructions.
  std::function<void()> on_reset_request;

 private:
  PhysMem& mem_;
  uint8_t value_ = kA20Bit;
};

}  // namespace bt86
