// The port I/O bus (64 Ki ports). Devices claim port ranges; accesses to unclaimed ports read as
// all ones and are logged once per port ("unclaimed I/O port") so a guest poking at absent
// hardware is visible in the log but not fatal, as on a real PC.
#pragma once
#include <cstdint>
#include <vector>
#include "devices/device.h"

namespace bt86 {

class IoBus {
 public:
  IoBus();
  void register_ports(uint16_t base, uint16_t count, Device* dev);
  uint32_t in(uint16_t port, unsigned size);                // size 1, 2 or 4
  void out(uint16_t port, uint32_t value, unsigned size);
  Device* device_at(uint16_t port) const { return ports_[port]; }
 private:
  std::vector<Device*> ports_;
  std::vector<bool> warned_;
};

}  // namespace bt86
