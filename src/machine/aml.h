// A small encoder for ACPI Machine Language (ACPI spec, chapter 20 "ACPI Machine Language
// Specification" and 6.4 "Resource Data Types"): just the data objects a static DSDT needs, so
// the DSDT reads as nested C++ calls in the shape of its ASL:
//
//   device("KBD_", {name("_HID", eisa_id("PNP0303")), name("_CRS", resources({io(0x60, 1)}))})
//
// Every function returns the encoded bytes of one object. Integers use the smallest constant
// encoding (ZeroOp, OneOp, Byte/Word/DWordPrefix): the DSDT is revision 1 (32-bit integers), and
// SeaBIOS's DSDT scanner understands exactly these forms. Name strings are one to four characters
// per segment, '.'-separated, optionally rooted with a leading '\'; segments are padded with '_'.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace bt86::aml {

using Bytes = std::vector<uint8_t>;

// Data objects.
Bytes integer(uint32_t value);
Bytes string(std::string_view text);
Bytes eisa_id(std::string_view id);  // "PNP0A03" -> the compressed 32-bit EISA ID
Bytes package(const std::vector<Bytes>& elements);
Bytes buffer(const Bytes& data);

// Named objects and scopes.
Bytes name_string(std::string_view path);
Bytes name(std::string_view path, const Bytes& value);            // Name(path, value)
Bytes scope(std::string_view path, const std::vector<Bytes>& terms);
Bytes device(std::string_view path, const std::vector<Bytes>& terms);

// PkgLength: the encoding of `content` bytes plus the PkgLength field itself.
Bytes pkg_length(size_t content);

// Resource descriptors for _CRS buffers.
Bytes io(uint16_t base, uint8_t length);                  // IO(Decode16, base, base, 1, length)
Bytes irq(unsigned line);                                 // IRQNoFlags() {line}
enum class Cache : uint8_t { NonCacheable = 0, Cacheable = 1 };
// Address-space windows a bridge produces (MinFixed, MaxFixed, PosDecode, granularity 0).
Bytes word_bus_numbers(uint16_t min, uint16_t max);       // WordBusNumber
Bytes word_io(uint16_t min, uint16_t max);                // WordIO, EntireRange
Bytes dword_memory(uint32_t min, uint32_t max, Cache cache);  // DWordMemory, ReadWrite
// ResourceTemplate(): the descriptors plus the end tag, as a Buffer.
Bytes resources(const std::vector<Bytes>& descriptors);

}  // namespace bt86::aml
