// Direct Linux kernel boot (-kernel/-initrd/-append) through the 32-bit boot protocol of the
// Linux x86 boot protocol (Documentation/arch/x86/boot.rst), skipping the BIOS:
//   - parse_linux_kernel() checks the bzImage's setup header ("HdrS", version >= 2.02, a
//     bzImage loaded high) and splits off the protected-mode kernel;
//   - LinuxLoader::load() writes the kernel at 1 MiB, the initrd as high as initrd_addr_max and
//     RAM allow, the command line and a zero page (boot_params: the file's setup header plus
//     type_of_loader, cmd_line_ptr, ramdisk_image/size and an e820 map of our RAM), then puts
//     the CPU in flat 32-bit protected mode at code32_start with ESI = the zero page, a GDT with
//     __BOOT_CS (0x10) and __BOOT_DS (0x18), interrupts and paging off, EBP = EDI = EBX = 0.
// No BIOS code runs, so the kernel gets no BIOS services (no EDD/APM/MP tables from SeaBIOS);
// the machine sets up the screen as the VGA BIOS and the setup code's vga= handling would, and
// the zero page's screen_info describes it (linux_video.h).
// ACPI tables given with set_acpi_tables() (an image whose first bytes are the RSDP, linked for
// address kEbda) are written into the EBDA page, which the e820 map reserves; the kernel learns
// the RSDP address from boot_params.acpi_rsdp_addr and, for kernels that scan instead, from the
// BIOS data area's EBDA pointer (0x40E), as the RSDP sits in the EBDA's first KiB.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "cpu/cpu.h"
#include "machine/linux_video.h"
#include "mmu/phys_mem.h"

namespace bt86 {

// Guest-physical layout of what the loader writes below 1 MiB.
namespace linux_layout {
constexpr uint32_t kGdt = 0x6000;          // 4 descriptors: null, null, __BOOT_CS, __BOOT_DS
constexpr uint32_t kZeroPage = 0x7000;     // struct boot_params (4 KiB)
constexpr uint32_t kCmdline = 0x20000;     // NUL-terminated command line
constexpr uint32_t kMaxCmdline = 0x10000;  // room reserved for it
constexpr uint32_t kKernel = 0x100000;     // protected-mode kernel (bzImage: loaded high)
constexpr uint32_t kLowRamEnd = 0x9F000;   // e820: usable low RAM ends here (EBDA above)
constexpr uint32_t kEbda = 0x9F000;        // extended BIOS data area: the ACPI tables (reserved)
constexpr uint32_t kEbdaSize = 0x1000;
constexpr uint32_t kBdaEbdaSegment = 0x40E;  // BIOS data area word: EBDA segment
}  // namespace linux_layout

// Offsets into the zero page / the bzImage's first sectors (boot.rst "THE REAL-MODE KERNEL HEADER").
namespace boot_hdr {
constexpr uint32_t kAcpiRsdpAddr = 0x070;  // boot_params.acpi_rsdp_addr (u64)
constexpr uint32_t kE820Entries = 0x1E8, kSetupSects = 0x1F1, kBootFlag = 0x1FE, kHeader = 0x202;
constexpr uint32_t kVersion = 0x206, kTypeOfLoader = 0x210, kLoadFlags = 0x211;
constexpr uint32_t kCode32Start = 0x214, kRamdiskImage = 0x218, kRamdiskSize = 0x21C;
constexpr uint32_t kHeapEndPtr = 0x224, kCmdLinePtr = 0x228, kInitrdAddrMax = 0x22C;
constexpr uint32_t kCmdlineSize = 0x238, kE820Table = 0x2D0;
constexpr uint32_t kHeaderEnd = 0x268;  // the setup header spans [0x1F1, 0x268) at protocol 2.15
constexpr uint8_t kLoadedHigh = 0x01;
}  // namespace boot_hdr

struct LinuxKernel {
  std::vector<uint8_t> setup;      // boot sector + real-mode setup (holds the setup header)
  std::vector<uint8_t> payload;    // the protected-mode kernel
  uint16_t version = 0;            // boot protocol version, e.g. 0x020F
  uint32_t code32_start = 0;
  uint32_t initrd_addr_max = 0;
  uint32_t cmdline_size = 0;       // longest command line the kernel accepts (without the NUL)
};

// Throws std::runtime_error with a one-line message naming `what` when the image is unusable.
LinuxKernel parse_linux_kernel(const std::vector<uint8_t>& image, const std::string& what);

class LinuxLoader {
 public:
  // Reads the files; throws std::runtime_error (one line) when one is missing or unusable, the
  // command line is too long for the kernel, or the images do not fit in `ram_bytes`.
  LinuxLoader(const std::string& kernel_path, const std::string& initrd_path,
              const std::string& cmdline, uint64_t ram_bytes);
  // Tests: images from memory (empty initrd: none).
  LinuxLoader(const std::vector<uint8_t>& kernel_image, std::vector<uint8_t> initrd,
              const std::string& cmdline, uint64_t ram_bytes);

  // Writes kernel, initrd, command line, GDT and zero page into RAM and sets up the CPU (after
  // its reset) to enter the kernel. Called at every machine reset.
  void load(PhysMem& mem, Cpu& cpu) const;

  // ACPI tables for the kernel: `image` starts with the RSDP and is linked for address
  // linux_layout::kEbda. Throws std::length_error when it does not fit in the EBDA page.
  void set_acpi_tables(std::vector<uint8_t> image);

  // The screen the machine sets up before the kernel starts (text mode 3 or a VESA mode, see
  // linux_video.h): the zero page's screen_info describes it, so that Linux's vgacon or vesafb
  // drives it. Kind::None (the default) leaves screen_info empty (no video).
  void set_screen(const LinuxScreen& screen) { screen_ = screen; }
  const LinuxScreen& screen() const { return screen_; }

  uint32_t initrd_addr() const { return initrd_addr_; }
  // The zero page (struct boot_params, 4 KiB) that load() writes.
  std::vector<uint8_t> zero_page() const;

 private:
  void place(uint64_t ram_bytes);

  LinuxKernel kernel_;
  std::vector<uint8_t> initrd_;
  std::vector<uint8_t> acpi_tables_;  // empty: none
  std::string cmdline_;
  uint64_t ram_bytes_ = 0;
  uint32_t initrd_addr_ = 0;
  LinuxScreen screen_;
};

}  // namespace bt86
