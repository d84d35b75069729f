// Wider accesses to 8-bit ISA devices: the bus splits a 16- or 32-bit access into byte accesses
// of consecutive ports, low byte first. Devices with several byte ports use these helpers in
// io_read/io_write; the callbacks see one port and one byte at a time.
#pragma once
#include <cstdint>

namespace bt86 {

// read_byte(port) -> uint8_t (0xFF for ports the device does not decode).
template <class ReadByte>
uint32_t read_split_bytes(uint16_t port, unsigned size, ReadByte read_byte) {
  uint32_t value = 0;
  for (unsigned i = 0; i < size; ++i) value |= uint32_t(read_byte(uint16_t(port + i))) << (8 * i);
  return value;
}

// write_byte(port, uint8_t value).
template <class WriteByte>
void write_split_bytes(uint16_t port, uint32_t value, unsigned size, WriteByte write_byte) {
  for (unsigned i = 0; i < size; ++i) write_byte(uint16_t(port + i), uint8_t(value >> (8 * i)));
}

}  // namespace bt86
