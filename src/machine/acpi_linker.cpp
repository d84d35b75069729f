// The ACPI table linker/loader script and its execution (see acpi_linker.h).
#include "machine/acpi_linker.h"

#include <algorithm>
#include <stdexcept>

namespace bt86 {

namespace {

void put_le32(std::vector<uint8_t>& out, size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) out[at + i] = uint8_t(v >> (8 * i));
}

void put_name(std::vector<uint8_t>& out, size_t at, const std::string& name) {
  std::copy(name.begin(), name.end(), out.begin() + ptrdiff_t(at));
}

void check_name(const std::string& name) {
  if (name.empty() || name.size() >= AcpiLinker::kFileNameSize)
    throw std::invalid_argument("ACPI linker: bad file name '" + name + "'");
}

}  // namespace

void AcpiLinker::allocate(const std::string& file, uint32_t align, Zone zone) {
  check_name(file);
  if (!align || (align & (align - 1))) throw std::invalid_argument("ACPI linker: alignment not a power of two");
  entries_.push_back({kAllocate, file, "", align, 0, 0, uint8_t(zone)});
}

void AcpiLinker::add_pointer(const std::string& dest_file, uint32_t offset, uint8_t size,
                             const std::string& src_file) {
  check_name(dest_file);
  check_name(src_file);
  if (size != 1 && size != 2 && size != 4 && size != 8) throw std::invalid_argument("ACPI linker: bad pointer size");
  entries_.push_back({kAddPointer, dest_file, src_file, offset, 0, 0, size});
}

void AcpiLinker::add_checksum(const std::string& file, uint32_t checksum_offset, uint32_t start,
                              uint32_t length) {
  check_name(file);
  entries_.push_back({kAddChecksum, file, "", checksum_offset, start, length, 0});
}

std::vector<uint8_t> AcpiLinker::script() const {
  std::vector<uint8_t> out(entries_.size() * kCommandSize, 0);
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    const size_t at = i * kCommandSize, args = at + 4;
    put_le32(out, at, e.command);
    put_name(out, args, e.file);
    switch (e.command) {
      case kAllocate:
        put_le32(out, args + kFileNameSize, e.align_or_offset);
        out[args + kFileNameSize + 4] = e.size_or_zone;
        break;
      case kAddPointer:
        put_name(out, args + kFileNameSize, e.src_file);
        put_le32(out, args + 2 * kFileNameSize, e.align_or_offset);
        out[args + 2 * kFileNameSize + 4] = e.size_or_zone;
        break;
      case kAddChecksum:
        put_le32(out, args + kFileNameSize, e.align_or_offset);
        put_le32(out, args + kFileNameSize + 4, e.start);
        put_le32(out, args + kFileNameSize + 8, e.length);
        break;
    }
  }
  return out;
}

uint8_t AcpiLinker::checksum_byte(const uint8_t* data, size_t length) {
  uint8_t sum = 0;
  for (size_t i = 0; i < length; ++i) sum = uint8_t(sum + data[i]);
  return uint8_t(-sum);
}

void AcpiLinker::link(std::map<std::string, std::vector<uint8_t>>& files,
                      const std::map<std::string, uint32_t>& addresses) const {
  auto file = [&](const std::string& name) -> std::vector<uint8_t>& {
    auto it = files.find(name);
    if (it == files.end()) throw std::logic_error("ACPI linker: no file '" + name + "'");
    return it->second;
  };
  auto address = [&](const std::string& name) {
    auto it = addresses.find(name);
    if (it == addresses.end()) throw std::logic_error("ACPI linker: no address for '" + name + "'");
    return it->second;
  };
  for (const Entry& e : entries_) {
    switch (e.command) {
      case kAllocate:
        if (address(e.file) % e.align_or_offset)
          throw std::logic_error("ACPI linker: '" + e.file + "' is not suitably aligned");
        break;
      case kAddPointer: {
        std::vector<uint8_t>& dest = file(e.file);
        if (size_t(e.align_or_offset) + e.size_or_zone > dest.size())
          throw std::logic_error("ACPI linker: pointer outside '" + e.file + "'");
        uint64_t value = 0;
        for (unsigned i = 0; i < e.size_or_zone; ++i) value |= uint64_t(dest[e.align_or_offset + i]) << (8 * i);
        value += address(e.src_file);
        for (unsigned i = 0; i < e.size_or_zone; ++i) dest[e.align_or_offset + i] = uint8_t(value >> (8 * i));
        break;
      }
      case kAddChecksum: {
        std::vector<uint8_t>& f = file(e.file);
        if (e.align_or_offset >= f.size() || size_t(e.start) + e.length > f.size())
          throw std::logic_error("ACPI linker: checksum outside '" + e.file + "'");
        f[e.align_or_offset] = uint8_t(f[e.align_or_offset] + checksum_byte(f.data() + e.start, e.length));
        break;
      }
    }
  }
}

}  // namespace bt86
