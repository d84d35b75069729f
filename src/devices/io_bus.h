// The port I/O bus (64 Ki ports). Devices claim port ranges; accesses to unclaimed ports read as
// all ones and drop writes, as on a real PC, where probing for absent hardware is normal (Linux
// probes ISA PnP, Super I/O and spare UART ports on every boot). With report_unclaimed(FILE*)
// (bt86 -d unimp) each unclaimed port is logged once ("unclaimed I/O port").
#pragma once
#include <cstdint>
#include <cstdio>
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
  void report_unclaimed(FILE* out) { report_to_ = out; }  // nullptr: silent (the default)
 private:
  void note_unclaimed(uint16_t port, const char* what);
  std::vector<Device*> ports_;
  FILE* report_to_ = nullptr;
  std::vector<bool> warned_;
};

}  // namespace bt86
