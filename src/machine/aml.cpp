// The AML encoder (see aml.h). Opcodes and descriptor layouts from the ACPI specification.
#include "machine/aml.h"

#include <stdexcept>
#include <string>

namespace bt86::aml {

namespace {

// Opcodes (ACPI 20.2).
constexpr uint8_t kZeroOp = 0x00, kOneOp = 0x01, kNameOp = 0x08, kBytePrefix = 0x0A;
constexpr uint8_t kWordPrefix = 0x0B, kDWordPrefix = 0x0C, kStringPrefix = 0x0D;
constexpr uint8_t kScopeOp = 0x10, kBufferOp = 0x11, kPackageOp = 0x12;
constexpr uint8_t kExtOpPrefix = 0x5B, kDeviceOp = 0x82;
constexpr uint8_t kRootChar = '\\', kDualNamePrefix = 0x2E, kMultiNamePrefix = 0x2F;
// Resource descriptor tags (ACPI 6.4).
constexpr uint8_t kIoTag = 0x47, kIrqNoFlagsTag = 0x22, kEndTag = 0x79;
constexpr uint8_t kWordAddressTag = 0x88, kDWordAddressTag = 0x87;
constexpr uint8_t kSpaceMemory = 0, kSpaceIo = 1, kSpaceBus = 2;
constexpr uint8_t kMinFixedMaxFixed = 0x0C;  // general flags: _MIF, _MAF; producer, positive decode
constexpr uint8_t kIoEntireRange = 0x03, kMemReadWrite = 0x01;
constexpr uint8_t kDecode16 = 0x01;

void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

template <class T> void append_le(Bytes& out, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(uint8_t(uint64_t(value) >> (8 * i)));
}

Bytes concat(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const Bytes& p : parts) append(out, p);
  return out;
}

// opcode(s) + PkgLength + body.
Bytes with_pkg_length(Bytes opcode, const Bytes& body) {
  append(opcode, pkg_length(body.size()));
  append(opcode, body);
  return opcode;
}

void append_name_seg(Bytes& out, std::string_view seg) {
  if (seg.empty() || seg.size() > 4) throw std::invalid_argument("AML: bad name segment '" + std::string(seg) + "'");
  for (size_t i = 0; i < 4; ++i) {
    const char c = i < seg.size() ? seg[i] : '_';
    const bool ok = (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) throw std::invalid_argument("AML: bad name segment '" + std::string(seg) + "'");
    out.push_back(uint8_t(c));
  }
}

// A Word or DWord address-space descriptor: granularity, min, max, translation, length.
template <class T>
Bytes address_space(uint8_t tag, uint8_t space, uint8_t type_flags, T min, T max) {
  Bytes d{tag};
  append_le<uint16_t>(d, uint16_t(3 + 5 * sizeof(T)));  // bytes after the length field
  d.insert(d.end(), {space, kMinFixedMaxFixed, type_flags});
  for (T field : {T(0), min, max, T(0), T(max - min + 1)}) append_le<T>(d, field);
  return d;
}

}  // namespace

Bytes pkg_length(size_t content) {
  // One byte holds up to 63; n bytes hold 4 + 8 * (n - 1) bits (the lead byte gives 4 of them).
  for (size_t n = 1; n <= 4; ++n) {
    const size_t total = content + n;
    if (n == 1 && total <= 0x3F) return {uint8_t(total)};
    if (n > 1 && total < (size_t(1) << (4 + 8 * (n - 1)))) {
      Bytes out{uint8_t((n - 1) << 6 | (total & 0x0F))};
      for (size_t i = 1; i < n; ++i) out.push_back(uint8_t(total >> (4 + 8 * (i - 1))));
      return out;
    }
  }
  throw std::length_error("AML: package too long");
}

Bytes integer(uint32_t value) {
  if (value == 0) return {kZeroOp};
  if (value == 1) return {kOneOp};
  Bytes out;
  if (value <= 0xFF) {
    out.push_back(kBytePrefix);
    append_le<uint8_t>(out, uint8_t(value));
  } else if (value <= 0xFFFF) {
    out.push_back(kWordPrefix);
    append_le<uint16_t>(out, uint16_t(value));
  } else {
    out.push_back(kDWordPrefix);
    append_le<uint32_t>(out, value);
  }
  return out;
}

Bytes string(std::string_view text) {
  Bytes out;
  out.reserve(text.size() + 2);
  out.push_back(kStringPrefix);
  for (char c : text) out.push_back(uint8_t(c));
  out.push_back(0);
  return out;
}

Bytes eisa_id(std::string_view id) {
  auto hex = [&](char c) -> unsigned {
    if (c >= '0' && c <= '9') return unsigned(c - '0');
    if (c >= 'A' && c <= 'F') return unsigned(c - 'A' + 10);
    throw std::invalid_argument("AML: bad EISA ID '" + std::string(id) + "'");
  };
  if (id.size() != 7) throw std::invalid_argument("AML: bad EISA ID '" + std::string(id) + "'");
  for (size_t i = 0; i < 3; ++i)
    if (id[i] < 'A' || id[i] > 'Z') throw std::invalid_argument("AML: bad EISA ID '" + std::string(id) + "'");
  // Three 5-bit letters ('A' = 1) then four hex digits, stored big-endian in the dword's bytes.
  const unsigned letters = unsigned(id[0] - 0x40) << 10 | unsigned(id[1] - 0x40) << 5 | unsigned(id[2] - 0x40);
  return {kDWordPrefix, uint8_t(letters >> 8), uint8_t(letters),
          uint8_t(hex(id[3]) << 4 | hex(id[4])), uint8_t(hex(id[5]) << 4 | hex(id[6]))};
}

Bytes package(const std::vector<Bytes>& elements) {
  if (elements.size() > 0xFF) throw std::length_error("AML: package has too many elements");
  Bytes body{uint8_t(elements.size())};
  append(body, concat(elements));
  return with_pkg_length({kPackageOp}, body);
}

Bytes buffer(const Bytes& data) {
  Bytes body = integer(uint32_t(data.size()));
  append(body, data);
  return with_pkg_length({kBufferOp}, body);
}

Bytes name_string(std::string_view path) {
  Bytes out;
  if (!path.empty() && path[0] == kRootChar) {
    out.push_back(kRootChar);
    path.remove_prefix(1);
  }
  std::vector<std::string_view> segs;
  for (size_t start = 0;;) {
    const size_t dot = path.find('.', start);
    segs.push_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (segs.size() == 2) out.push_back(kDualNamePrefix);
  if (segs.size() > 2) out.insert(out.end(), {kMultiNamePrefix, uint8_t(segs.size())});
  for (std::string_view s : segs) append_name_seg(out, s);
  return out;
}

Bytes name(std::string_view path, const Bytes& value) {
  Bytes out{kNameOp};
  append(out, name_string(path));
  append(out, value);
  return out;
}

Bytes scope(std::string_view path, const std::vector<Bytes>& terms) {
  Bytes body = name_string(path);
  append(body, concat(terms));
  return with_pkg_length({kScopeOp}, body);
}

Bytes device(std::string_view path, const std::vector<Bytes>& terms) {
  Bytes body = name_string(path);
  append(body, concat(terms));
  return with_pkg_length({kExtOpPrefix, kDeviceOp}, body);
}

Bytes io(uint16_t base, uint8_t length) {
  Bytes d{kIoTag, kDecode16};
  append_le<uint16_t>(d, base);  // minimum
  append_le<uint16_t>(d, base);  // maximum
  d.insert(d.end(), {uint8_t(1), length});
  return d;
}

Bytes irq(unsigned line) {
  if (line > 15) throw std::invalid_argument("AML: IRQ " + std::to_string(line) + " is not an ISA IRQ");
  Bytes d{kIrqNoFlagsTag};
  append_le<uint16_t>(d, uint16_t(1u << line));
  return d;
}

Bytes word_bus_numbers(uint16_t min, uint16_t max) {
  return address_space<uint16_t>(kWordAddressTag, kSpaceBus, 0, min, max);
}

Bytes word_io(uint16_t min, uint16_t max) {
  return address_space<uint16_t>(kWordAddressTag, kSpaceIo, kIoEntireRange, min, max);
}

Bytes dword_memory(uint32_t min, uint32_t max, Cache cache) {
  return address_space<uint32_t>(kDWordAddressTag, kSpaceMemory,
                                 uint8_t(kMemReadWrite | uint8_t(cache) << 1), min, max);
}

Bytes resources(const std::vector<Bytes>& descriptors) {
  Bytes data = concat(descriptors);
  data.insert(data.end(), {kEndTag, 0});  // checksum 0: "the template is valid" (ACPI 6.4.2.9)
  return buffer(data);
}

}  // namespace bt86::aml
