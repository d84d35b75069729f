// Conventional PCI (bus 0 only), as the i440FX "pc" machine has it.
//
// PciDevice: one PCI function with a 256-byte type-0 configuration space. The device declares
// its identity, its BARs (I/O or 32-bit memory, power-of-two size) and optionally an expansion
// ROM image; the base class then implements the standard register behaviour: per-byte write
// masks (read-only bits keep their value), BAR sizing (write all ones, read back ~(size-1) plus
// the type bits), and the mapping of decoded BARs. A BAR is decoded when its command-register
// enable (bit 0 I/O, bit 1 memory) is set and its address is valid (non-zero, not the sizing
// pattern, inside the address space). The base maps decoded BARs itself:
//   - I/O BARs: the PciBus forwards port accesses in the window to the device's io_read/io_write
//     with the absolute port number;
//   - memory BARs: PhysMem MMIO routes accesses to the device's mmio_read/mmio_write with the
//     absolute physical address;
//   - the expansion ROM BAR (0x30, enable bit 0): the ROM image is mapped read-only.
// Subclasses learn about every (re)mapping through bar_mapped() and about other configuration
// writes through config_written(); bar_address(i) gives the current decoded address.
//
// PciBus: the devices on bus 0, addressed by devfn (device << 3 | function), and configuration
// mechanism #1: the address register at 0xCF8 (dword: bit 31 enable, bus 23:16, device 15:11,
// function 10:8, register 7:2) and the data window 0xCFC-0xCFF (byte/word/dword at any offset;
// the register is the address's dword plus the port's offset). Absent functions, other buses
// and a clear enable bit read all ones. The bus also answers the PIIX3 reset control register at
// 0xCF9 (a 0->1 transition of bit 2 with bit 1 set requests a system reset).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>
#include "devices/device.h"
#include "devices/io_bus.h"
#include "mmu/phys_mem.h"

namespace bt86 {

class PciBus;

// Configuration-space register offsets (type-0 header) and command bits.
namespace pci_reg {
constexpr uint8_t kVendorId = 0x00, kDeviceId = 0x02, kCommand = 0x04, kStatus = 0x06;
constexpr uint8_t kRevision = 0x08, kProgIf = 0x09, kSubclass = 0x0A, kClass = 0x0B;
constexpr uint8_t kCacheLineSize = 0x0C, kLatencyTimer = 0x0D, kHeaderType = 0x0E;
constexpr uint8_t kBar0 = 0x10, kSubsystemVendorId = 0x2C, kSubsystemId = 0x2E, kRomBar = 0x30;
constexpr uint8_t kInterruptLine = 0x3C, kInterruptPin = 0x3D;
constexpr uint16_t kCommandIo = 1 << 0, kCommandMemory = 1 << 1, kCommandBusMaster = 1 << 2;
constexpr int kBarCount = 6;
constexpr int kRomBarIndex = kBarCount;  // bar_mapped()/bar_address() index of the ROM BAR
}  // namespace pci_reg

struct PciId {
  uint16_t vendor, device;
  uint8_t class_code, subclass, prog_if, revision;
};

class PciDevice : public Device {
 public:
  enum class BarKind { Io, Memory32 };
  static constexpr uint32_t kUnmapped = 0;

  explicit PciDevice(const PciId& id);
  ~PciDevice() override;

  // Configuration-space access by the bus (offset + size stays within the 256 bytes).
  uint32_t config_read(uint8_t offset, unsigned size) const;
  void config_write(uint8_t offset, uint32_t value, unsigned size);

  // Current decoded address of BAR `index` (0-5, or pci_reg::kRomBarIndex), kUnmapped if not
  // decoded.
  uint32_t bar_address(int index) const;
  uint32_t bar_size(int index) const { return bars_[index].size; }
  bool bus_master_enabled() const { return command() & pci_reg::kCommandBusMaster; }
  uint16_t command() const { return config_read(pci_reg::kCommand, 2); }
  uint8_t devfn() const { return devfn_; }

  // Power-on configuration state (BARs zero, command zero, mappings removed). Subclasses that
  // override reset() must call PciDevice::reset().
  void reset() override;

 protected:
  // Declaration helpers for constructors. `size` is a power of two (I/O: >= 4, memory: >= 16).
  void declare_bar(int index, BarKind kind, uint32_t size);
  // A memory BAR backed by device RAM (a framebuffer, from PhysMem::alloc_device_ram): mapped
  // like RAM with its writes logged in `log` (PhysMem::add_device_ram) instead of calling
  // mmio_read/mmio_write. The BAR's size is ram.size(), a power of two.
  void declare_ram_bar(int index, std::span<uint8_t> ram, DirtyLog* log);
  // The expansion ROM: size is rounded up to a power of two (at least 2 KiB).
  void declare_rom(std::span<const uint8_t> image);
  void set_interrupt_pin(uint8_t pin);  // 1 = INTA# .. 4 = INTD#
  void set_multifunction();             // header type bit 7 (function 0 of a multi-function device)
  void set_subsystem(uint16_t vendor, uint16_t id);
  // Direct access to the registers and their write masks, for device-specific registers.
  uint8_t& cfg(uint8_t offset) { return cfg_[offset]; }
  uint8_t cfg(uint8_t offset) const { return cfg_[offset]; }
  void set_write_mask(uint8_t offset, unsigned size, uint32_t mask);

  // Called after a BAR's decoded address changed (addr == kUnmapped: no longer decoded), after
  // the base has updated the mapping.
  virtual void bar_mapped(int index, uint32_t addr) {}
  // Called after every configuration write with the written range (after BAR remapping).
  virtual void config_written(uint8_t offset, unsigned size) {}

  PciBus* bus() const { return bus_; }

 private:
  friend class PciBus;
  struct Bar {
    BarKind kind = BarKind::Io;
    uint32_t size = 0;          // 0: not implemented
    uint32_t mapped = kUnmapped;
    std::span<uint8_t> ram;  // declare_ram_bar: the buffer mapped directly, and its write log
    DirtyLog* log = nullptr;
  };
  uint32_t decoded_address(int index) const;  // what the registers say now
  void update_mappings();
  void map(int index, uint32_t addr);

  std::array<uint8_t, 256> cfg_{};
  std::array<uint8_t, 256> wmask_{};
  std::array<uint8_t, 256> power_on_{};  // cfg_ after construction, restored by reset()
  std::array<Bar, pci_reg::kBarCount + 1> bars_{};  // [6] is the ROM BAR
  std::vector<uint8_t> rom_;
  PhysMem::RomImage rom_image_;  // rom_ in the bus's PhysMem, loaded when the ROM BAR is first mapped
  PciBus* bus_ = nullptr;
  uint8_t devfn_ = 0;
};

class PciBus : public Device {
 public:
  static constexpr uint16_t kConfigAddressPort = 0xCF8, kResetControlPort = 0xCF9;
  static constexpr uint16_t kConfigDataPort = 0xCFC;

  PciBus(IoBus& io, PhysMem& mem);
  static constexpr uint8_t devfn(unsigned device, unsigned function) {
    return uint8_t(device << 3 | function);
  }
  // Plugs `dev` in at devfn (bus 0). The device must outlive the bus.
  void attach(uint8_t devfn, PciDevice* dev);
  PciDevice* device(uint8_t devfn) const { return devices_[devfn]; }

  // A system reset requested through the reset control register (0xCF9).
  std::function<void()> on_reset_request;

  const char* name() const override { return "pci-bus"; }
  void reset() override;  // the config address and reset control registers; not the devices
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

  IoBus& io() { return io_; }
  PhysMem& mem() { return mem_; }

 private:
  friend class PciDevice;
  // I/O BAR windows: the bus claims the ports on the IoBus (once, kept forever since the IoBus
  // has no unregistration) and forwards accesses inside a currently decoded window.
  struct IoWindow { uint16_t base, size; PciDevice* dev; };
  void map_io(PciDevice* dev, uint16_t base, uint16_t size);
  void unmap_io(PciDevice* dev, uint16_t base);
  PciDevice* config_target(unsigned port, uint8_t& reg) const;

  IoBus& io_;
  PhysMem& mem_;
  std::array<PciDevice*, 256> devices_{};
  std::vector<IoWindow> io_windows_;
  uint32_t config_address_ = 0;
  uint8_t reset_control_ = 0;
};

}  // namespace bt86
