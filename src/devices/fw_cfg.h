// QEMU's firmware configuration device (fw_cfg), traditional I/O interface, as SeaBIOS reads it
// to learn about the machine: write a 16-bit key to the selector port 0x510, then read the
// item's bytes one at a time from the data port 0x511 (reads past the end, and unknown keys,
// give 0; selecting restarts at offset 0; data writes are ignored). No DMA interface: the ID item
// reports only bit 0 (traditional interface).
//
// Items provided, as QEMU's "pc" machine provides them for one CPU and `-m N`:
//   0x0000 "QEMU", 0x0001 ID = 1, 0x0002 UUID (zeros), 0x0003 RAM size (u64), 0x0004 nographic,
//   0x0005 NB_CPUS = 1, 0x000C boot device (first -boot letter), 0x000E boot menu = 0,
//   0x000F MAX_CPUS = 1, 0x8002 IRQ0 override = 1, 0x0019 the file directory (u32 big-endian
//   count, then per file: u32 size, u16 key (both big-endian), u16 reserved, char name[56]).
// Files (keys from 0x0020 up, in name order):
//   etc/e820           one RAM entry [0, RAM size) (u64 address, u64 length, u32 type = 1, packed)
//   etc/boot-cpus      u16 1
//   etc/boot-fail-wait u32 -1 (SeaBIOS: no automatic reboot after "No bootable device")
//   bootorder          OpenFirmware paths of the -boot devices, '\n'-separated, NUL-terminated:
//                      a = floppy 0, c = IDE primary master (-hda), d = IDE secondary master
//                      (-cdrom), following QEMU's drive placement.
// AcpiPlatform (src/machine/acpi_platform.h) adds etc/acpi/rsdp, etc/acpi/tables and
// etc/table-loader (QEMU's linker/loader script), from which SeaBIOS installs our ACPI tables.
// There is no etc/smbios/* (SeaBIOS builds its own SMBIOS tables).
// set_linux_boot() fills the -kernel/-initrd/-append items (keys 0x07-0x0B, 0x10-0x18).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>
#include "devices/device.h"
#include "devices/io_bus.h"

namespace bt86 {

namespace fw_cfg_key {
constexpr uint16_t kSignature = 0x00, kId = 0x01, kUuid = 0x02, kRamSize = 0x03, kNoGraphic = 0x04;
constexpr uint16_t kNbCpus = 0x05, kKernelAddr = 0x07, kKernelSize = 0x08, kKernelCmdline = 0x09;
constexpr uint16_t kInitrdAddr = 0x0A, kInitrdSize = 0x0B, kBootDevice = 0x0C, kBootMenu = 0x0E;
constexpr uint16_t kMaxCpus = 0x0F, kKernelEntry = 0x10, kKernelData = 0x11, kInitrdData = 0x12;
constexpr uint16_t kCmdlineAddr = 0x13, kCmdlineSize = 0x14, kCmdlineData = 0x15;
constexpr uint16_t kSetupAddr = 0x16, kSetupSize = 0x17, kSetupData = 0x18, kFileDir = 0x19;
constexpr uint16_t kFileFirst = 0x20, kIrq0Override = 0x8002;
}  // namespace fw_cfg_key

struct FwCfgConfig {
  uint64_t ram_bytes = 128ull << 20;
  std::string boot_order = "cd";  // -boot letters, first choice first (a, c, d)
  bool nographic = true;
};

// What -kernel/-initrd/-append load (QEMU's x86 Linux boot protocol items).
struct LinuxBoot {
  uint32_t setup_addr = 0, kernel_addr = 0, initrd_addr = 0, cmdline_addr = 0, kernel_entry = 0;
  std::vector<uint8_t> setup, kernel, initrd;
  std::string cmdline;
};

class FwCfg : public Device {
 public:
  static constexpr uint16_t kSelectorPort = 0x510, kDataPort = 0x511;
  static constexpr size_t kMaxFileName = 56;  // including the NUL

  explicit FwCfg(const FwCfgConfig& config);
  void attach(IoBus& io) { io.register_ports(kSelectorPort, 2, this); }

  // True for the -boot letters this device understands (a non-empty string of a, c, d).
  static bool valid_boot_order(const std::string& letters);

  void set_item(uint16_t key, std::vector<uint8_t> data);
  void add_file(const std::string& name, std::vector<uint8_t> data);  // replaces a same-named file
  void set_linux_boot(const LinuxBoot& boot);
  const std::vector<uint8_t>* item(uint16_t key) const;

  const char* name() const override { return "fw_cfg"; }
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

 private:
  void rebuild_file_dir();

  std::map<uint16_t, std::vector<uint8_t>> items_;
  std::map<std::string, std::vector<uint8_t>> files_;  // name order = key order
  uint16_t selected_ = 0;
  size_t offset_ = 0;
};

}  // namespace bt86
