// Little-endian values at byte offsets of a buffer: the layout of x86 firmware structures the
// machine builds or reads (the bzImage setup header and zero page, ACPI tables).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace bt86 {

template <class T> void put_le(std::span<uint8_t> buf, size_t at, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) buf[at + i] = uint8_t(uint64_t(value) >> (8 * i));
}

template <class T> T get_le(std::span<const uint8_t> buf, size_t at) {
  uint64_t value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) value |= uint64_t(buf[at + i]) << (8 * i);
  return T(value);
}

}  // namespace bt86
