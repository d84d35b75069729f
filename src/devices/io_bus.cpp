// The port I/O bus (see io_bus.h): a flat table of 64 Ki device pointers, one per port. An access
// goes to the device that claimed its first port, with the access size; unclaimed ports read as
// all ones, drop writes, and are reported once per port when reporting is on (-d unimp).
#include "devices/io_bus.h"

#include <cstdio>
#include <stdexcept>
#include <string>

namespace bt86 {

namespace {

constexpr unsigned kPorts = 0x10000;

void check_io_size(unsigned size) {
  if (size != 1 && size != 2 && size != 4)
    throw std::invalid_argument("IoBus: access size " + std::to_string(size) + " (only 1, 2 or 4 bytes)");
}

std::string hex_port(unsigned port) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", port);
  return buf;
}

}  // namespace

void IoBus::note_unclaimed(uint16_t port, const char* what) {
  if (!report_to_ || warned_[port]) return;
  warned_[port] = true;
  std::fprintf(report_to_, "bt86: unclaimed I/O port %s (%s)\n", hex_port(port).c_str(), what);
}

IoBus::IoBus() : ports_(kPorts, nullptr), warned_(kPorts, false) {}

void IoBus::register_ports(uint16_t base, uint16_t count, Device* dev) {
  if (count == 0 || base + unsigned(count) > kPorts || dev == nullptr)
    throw std::invalid_argument("IoBus: bad port range at " + hex_port(base));
  for (unsigned p = base; p < base + unsigned(count); ++p)
    if (ports_[p] && ports_[p] != dev)
      throw std::logic_error("IoBus: port " + hex_port(p) + " claimed by both " + ports_[p]->name() +
                             " and " + dev->name());
  for (unsigned p = base; p < base + unsigned(count); ++p) ports_[p] = dev;
}

uint32_t IoBus::in(uint16_t port, unsigned size) {
  check_io_size(size);
  if (Device* d = ports_[port]) return d->io_read(port, size);
  note_unclaimed(port, "read");
  return 0xFFFFFFFFu >> (32 - 8 * size);
}

void IoBus::out(uint16_t port, uint32_t value, unsigned size) {
  check_io_size(size);
  if (Device* d = ports_[port]) return d->io_write(port, value, size);
  note_unclaimed(port, "write");
}

}  // namespace bt86
