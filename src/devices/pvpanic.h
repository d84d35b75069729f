// QEMU's ISA pvpanic device at port 0x505: the guest kernel reports a panic to the emulator.
// Reading the port gives the events the device supports (bit 0 PANICKED, bit 1 CRASH_LOADED);
// writing bit 0 reports a panic (on_panic), bit 1 that a crash kernel is loaded (logged only).
// Linux's pvpanic-mmio driver finds it through the ACPI device "QEMU0001" (its _CRS: I/O 0x505).
#pragma once
#include <cstdint>
#include <functional>
#include "devices/device.h"
#include "devices/io_bus.h"

namespace bt86 {

class Pvpanic : public Device {
 public:
  static constexpr uint16_t kPort = 0x505;
  static constexpr uint8_t kPanicked = 1u << 0, kCrashLoaded = 1u << 1;
  static constexpr uint8_t kSupportedEvents = kPanicked | kCrashLoaded;

  void attach(IoBus& io) { io.register_ports(kPort, 1, this); }
  const char* name() const override { return "pvpanic"; }
  uint32_t io_read(uint16_t port, unsigned size) override { return kSupportedEvents; }
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

  std::function<void()> on_panic;  // the guest kernel panicked
};

}  // namespace bt86
