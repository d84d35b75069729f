// Direct Linux kernel boot through the 32-bit boot protocol (see linux_loader.h).
#include "machine/linux_loader.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "devices/host_file.h"
#include "machine/le_bytes.h"

namespace bt86 {

namespace {

constexpr uint32_t kHdrSMagic = 0x53726448;  // "HdrS"
constexpr uint16_t kBootFlag = 0xAA55;
constexpr uint16_t kMinVersion = 0x0202;      // first version with cmd_line_ptr
constexpr uint32_t kSector = 512;
constexpr uint32_t kDefaultSetupSects = 4;    // setup_sects == 0 means 4
constexpr uint32_t kDefaultInitrdMax = 0x37FFFFFF;  // protocol < 2.03
constexpr uint32_t kDefaultCmdlineSize = 255;       // protocol < 2.06
constexpr uint8_t kLoaderUndefined = 0xFF;          // type_of_loader: no registered ID
constexpr uint16_t kBootCs = 0x10, kBootDs = 0x18;
constexpr uint32_t kE820Ram = 1, kE820Reserved = 2;
constexpr uint32_t kPageMask = ~0xFFFu;

// A kernel or initrd file: a regular file no bigger than the guest RAM that must hold it.
std::vector<uint8_t> read_file(const std::string& path, const std::string& what, uint64_t ram_bytes) {
  return read_input_file(path, {what, ram_bytes, "the guest RAM; use a larger -m"});
}

std::string version_text(uint16_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%02u", unsigned(v >> 8), unsigned(v & 0xFF));
  return buf;
}

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%X", v);
  return buf;
}

}  // namespace

LinuxKernel parse_linux_kernel(const std::vector<uint8_t>& image, const std::string& what) {
  auto fail = [&](const std::string& why) { throw std::runtime_error(what + ": " + why); };
  if (image.size() < boot_hdr::kHeader + 8) fail("too small to be a Linux kernel (" + std::to_string(image.size()) + " bytes)");
  if (get_le<uint32_t>(image, boot_hdr::kHeader) != kHdrSMagic || get_le<uint16_t>(image, boot_hdr::kBootFlag) != kBootFlag)
    fail("not a Linux x86 kernel image (no \"HdrS\" setup header)");
  LinuxKernel k;
  k.version = get_le<uint16_t>(image, boot_hdr::kVersion);
  if (k.version < kMinVersion)
    fail("boot protocol " + version_text(k.version) + " is too old (2.02 or later needed)");
  if (image.size() < boot_hdr::kHeaderEnd) fail("truncated setup header");
  if (!(image[boot_hdr::kLoadFlags] & boot_hdr::kLoadedHigh)) fail("zImage (not loaded high) is not supported; use a bzImage");
  uint32_t setup_sects = image[boot_hdr::kSetupSects];
  if (setup_sects == 0) setup_sects = kDefaultSetupSects;
  const size_t setup_bytes = size_t(setup_sects + 1) * kSector;
  if (image.size() <= setup_bytes) fail("truncated: no protected-mode kernel after the " + std::to_string(setup_bytes) + "-byte setup");
  k.setup.assign(image.begin(), image.begin() + setup_bytes);
  k.payload.assign(image.begin() + setup_bytes, image.end());
  k.code32_start = get_le<uint32_t>(image, boot_hdr::kCode32Start);
  k.initrd_addr_max = k.version >= 0x0203 ? get_le<uint32_t>(image, boot_hdr::kInitrdAddrMax) : kDefaultInitrdMax;
  k.cmdline_size = k.version >= 0x0206 ? get_le<uint32_t>(image, boot_hdr::kCmdlineSize) : kDefaultCmdlineSize;
  if (k.code32_start != linux_layout::kKernel)
    fail("code32_start " + hex(k.code32_start) + " is not 1 MiB (unsupported)");
  return k;
}

LinuxLoader::LinuxLoader(const std::string& kernel_path, const std::string& initrd_path,
                         const std::string& cmdline, uint64_t ram_bytes)
    : kernel_(parse_linux_kernel(read_file(kernel_path, "-kernel", ram_bytes), "-kernel '" + kernel_path + "'")),
      initrd_(initrd_path.empty() ? std::vector<uint8_t>() : read_file(initrd_path, "-initrd", ram_bytes)),
      cmdline_(cmdline) {
  place(ram_bytes);
}

LinuxLoader::LinuxLoader(const std::vector<uint8_t>& kernel_image, std::vector<uint8_t> initrd,
                         const std::string& cmdline, uint64_t ram_bytes)
    : kernel_(parse_linux_kernel(kernel_image, "-kernel")), initrd_(std::move(initrd)), cmdline_(cmdline) {
  place(ram_bytes);
}

void LinuxLoader::place(uint64_t ram_bytes) {
  ram_bytes_ = ram_bytes;
  if (cmdline_.size() > kernel_.cmdline_size || cmdline_.size() >= linux_layout::kMaxCmdline)
    throw std::runtime_error("-append: command line of " + std::to_string(cmdline_.size()) +
                             " bytes is longer than the kernel accepts (" + std::to_string(kernel_.cmdline_size) + ")");
  const uint64_t kernel_end = uint64_t(linux_layout::kKernel) + kernel_.payload.size();
  if (kernel_end > ram_bytes) throw std::runtime_error("-kernel: the kernel does not fit in RAM (use a larger -m)");
  if (initrd_.empty()) return;
  const uint64_t top = std::min<uint64_t>(uint64_t(kernel_.initrd_addr_max) + 1, ram_bytes);
  if (initrd_.size() > top || ((top - initrd_.size()) & kPageMask) < kernel_end)
    throw std::runtime_error("-initrd: the initrd (" + std::to_string(initrd_.size()) +
                             " bytes) does not fit in RAM above the kernel (use a larger -m)");
  initrd_addr_ = uint32_t((top - initrd_.size()) & kPageMask);
}

void LinuxLoader::set_acpi_tables(std::vector<uint8_t> image) {
  if (image.size() > linux_layout::kEbdaSize)
    throw std::length_error("ACPI tables (" + std::to_string(image.size()) + " bytes) do not fit in the EBDA page");
  acpi_tables_ = std::move(image);
}

std::vector<uint8_t> LinuxLoader::zero_page() const {
  using namespace boot_hdr;
  std::vector<uint8_t> zp(4096, 0);
  // The setup header ends at 0x202 + the jump offset byte at 0x201 (boot.rst).
  const size_t header_end = std::min<size_t>({size_t(kHeader) + kernel_.setup[0x201], kernel_.setup.size(), zp.size()});
  std::copy(kernel_.setup.begin() + kSetupSects, kernel_.setup.begin() + header_end, zp.begin() + kSetupSects);
  zp[kTypeOfLoader] = kLoaderUndefined;
  put_le<uint32_t>(zp, kCmdLinePtr, linux_layout::kCmdline);
  put_le<uint32_t>(zp, kRamdiskImage, initrd_addr_);
  put_le<uint32_t>(zp, kRamdiskSize, uint32_t(initrd_.size()));
  if (!acpi_tables_.empty()) put_le<uint64_t>(zp, kAcpiRsdpAddr, linux_layout::kEbda);
  store_screen_info(zp, screen_);
  struct E820 { uint64_t addr, size; uint32_t type; };
  const E820 map[] = {
      {0, linux_layout::kLowRamEnd, kE820Ram},
      {linux_layout::kLowRamEnd, 0xA0000 - linux_layout::kLowRamEnd, kE820Reserved},
      {0xE0000, 0x20000, kE820Reserved},  // the BIOS ROM's low window
      {linux_layout::kKernel, ram_bytes_ - linux_layout::kKernel, kE820Ram},
  };
  uint32_t off = kE820Table;
  for (const E820& e : map) {
    put_le<uint64_t>(zp, off, e.addr);
    put_le<uint64_t>(zp, off + 8, e.size);
    put_le<uint32_t>(zp, off + 16, e.type);
    off += 20;
  }
  zp[kE820Entries] = uint8_t(std::size(map));
  return zp;
}

void LinuxLoader::load(PhysMem& mem, Cpu& cpu) const {
  using namespace linux_layout;
  mem.copy_to(kKernel, kernel_.payload.data(), kernel_.payload.size());
  if (!initrd_.empty()) mem.copy_to(initrd_addr_, initrd_.data(), initrd_.size());
  mem.copy_to(kCmdline, cmdline_.c_str(), cmdline_.size() + 1);
  if (!acpi_tables_.empty()) {
    mem.copy_to(kEbda, acpi_tables_.data(), acpi_tables_.size());
    const uint16_t ebda_segment = kEbda >> 4;
    mem.copy_to(kBdaEbdaSegment, &ebda_segment, sizeof ebda_segment);
  }
  const std::vector<uint8_t> zp = zero_page();
  mem.copy_to(kZeroPage, zp.data(), zp.size());
  // GDT: entries 2 and 3 are the flat 4 GiB __BOOT_CS (execute/read) and __BOOT_DS (read/write).
  const uint64_t gdt[4] = {0, 0, 0x00CF9B000000FFFFull, 0x00CF93000000FFFFull};
  mem.copy_to(kGdt, gdt, sizeof gdt);
  cpu.mmu.code_pages.invalidate_all();

  constexpr uint32_t kFlat32 = (1u << 22) | (1u << 23);  // D/B and G
  cpu.s.cr0 |= cr0::PE;
  cpu.s.gdtr = {kGdt, sizeof gdt - 1};
  cpu.set_seg(CS, Segment{kBootCs, 0, 0xFFFFFFFF, kAttrCodeRX | kFlat32});
  for (unsigned s : {ES, SS, DS, FS, GS}) cpu.set_seg(s, Segment{kBootDs, 0, 0xFFFFFFFF, kAttrDataRW | kFlat32});
  cpu.s.eflags &= ~fl::IF;
  cpu.s.r[ESI] = kZeroPage;
  cpu.s.r[EBP] = cpu.s.r[EDI] = cpu.s.r[EBX] = 0;
  cpu.s.eip = kernel_.code32_start;
}

}  // namespace bt86
