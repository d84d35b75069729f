// PCI configuration space, BAR decoding/mapping and configuration mechanism #1 (see pci.h).
#include "devices/pci.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace bt86 {

namespace {

constexpr uint32_t kIoLimit = 0x10000;
constexpr uint32_t kMinRomSize = 0x800;
constexpr uint32_t kRomAddressMask = 0xFFFFF800u;
constexpr uint32_t kRomEnable = 1;

bool is_power_of_two(uint32_t v) { return v && !(v & (v - 1)); }

uint32_t round_up_power_of_two(uint32_t v) {
  uint32_t p = kMinRomSize;
  while (p < v) p <<= 1;
  return p;
}

uint8_t bar_offset(int index) {
  return index == pci_reg::kRomBarIndex ? pci_reg::kRomBar : uint8_t(pci_reg::kBar0 + 4 * index);
}

// Does a configuration write of [offset, offset+size) touch [lo, hi)?
bool touches(uint8_t offset, unsigned size, unsigned lo, unsigned hi) {
  return offset < hi && offset + size > lo;
}

}  // namespace

// ---- PciDevice ---------------------------------------------------------------------------------

PciDevice::PciDevice(const PciId& id) {
  using namespace pci_reg;
  cfg_[kVendorId] = uint8_t(id.vendor);
  cfg_[kVendorId + 1] = uint8_t(id.vendor >> 8);
  cfg_[kDeviceId] = uint8_t(id.device);
  cfg_[kDeviceId + 1] = uint8_t(id.device >> 8);
  cfg_[kRevision] = id.revision;
  cfg_[kProgIf] = id.prog_if;
  cfg_[kSubclass] = id.subclass;
  cfg_[kClass] = id.class_code;
  set_write_mask(kCommand, 2, kCommandIo | kCommandMemory | kCommandBusMaster | 1u << 8 | 1u << 10);
  set_write_mask(kCacheLineSize, 1, 0xFF);
  set_write_mask(kLatencyTimer, 1, 0xFF);
  set_write_mask(kInterruptLine, 1, 0xFF);
  set_subsystem(0x1AF4, 0x1100);  // QEMU's for every function; SeaBIOS detects QEMU by it on 00:00.0
}

PciDevice::~PciDevice() = default;

void PciDevice::set_write_mask(uint8_t offset, unsigned size, uint32_t mask) {
  for (unsigned i = 0; i < size; ++i) wmask_[uint8_t(offset + i)] = uint8_t(mask >> (8 * i));
}

void PciDevice::declare_bar(int index, BarKind kind, uint32_t size) {
  if (index < 0 || index >= pci_reg::kBarCount || !is_power_of_two(size) ||
      size < (kind == BarKind::Io ? 4u : 16u) || (kind == BarKind::Io && size > 256))
    throw std::invalid_argument("PCI: bad BAR declaration");
  bars_[index] = Bar{kind, size, kUnmapped};
  const uint8_t off = bar_offset(index);
  const uint32_t type_bits = kind == BarKind::Io ? 1u : 0u;  // memory: 32-bit, non-prefetchable
  for (unsigned i = 0; i < 4; ++i) cfg_[off + i] = uint8_t(type_bits >> (8 * i));
  set_write_mask(off, 4, ~(size - 1) & (kind == BarKind::Io ? ~3u : ~15u));
}

void PciDevice::declare_ram_bar(int index, std::span<uint8_t> ram, DirtyLog* log) {
  declare_bar(index, BarKind::Memory32, uint32_t(ram.size()));
  bars_[index].ram = ram;
  bars_[index].log = log;
}

void PciDevice::declare_rom(std::span<const uint8_t> image) {
  if (image.empty() || image.size() > 0x1000000) throw std::invalid_argument("PCI: bad ROM image");
  const uint32_t size = round_up_power_of_two(uint32_t(image.size()));
  rom_.assign(size, 0);
  std::copy(image.begin(), image.end(), rom_.begin());
  bars_[pci_reg::kRomBarIndex] = Bar{BarKind::Memory32, size, kUnmapped};
  set_write_mask(pci_reg::kRomBar, 4, (~(size - 1) & kRomAddressMask) | kRomEnable);
}

void PciDevice::set_interrupt_pin(uint8_t pin) { cfg_[pci_reg::kInterruptPin] = pin; }
void PciDevice::set_multifunction() { cfg_[pci_reg::kHeaderType] |= 0x80; }
void PciDevice::set_subsystem(uint16_t vendor, uint16_t id) {
  cfg_[pci_reg::kSubsystemVendorId] = uint8_t(vendor);
  cfg_[pci_reg::kSubsystemVendorId + 1] = uint8_t(vendor >> 8);
  cfg_[pci_reg::kSubsystemId] = uint8_t(id);
  cfg_[pci_reg::kSubsystemId + 1] = uint8_t(id >> 8);
}

uint32_t PciDevice::config_read(uint8_t offset, unsigned size) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i)
    v |= uint32_t(offset + i < 256 ? cfg_[offset + i] : 0xFF) << (8 * i);
  return v;
}

void PciDevice::config_write(uint8_t offset, uint32_t value, unsigned size) {
  size = std::min<unsigned>(size, 256 - offset);
  for (unsigned i = 0; i < size; ++i) {
    const uint8_t o = uint8_t(offset + i), m = wmask_[o];
    cfg_[o] = uint8_t((cfg_[o] & ~m) | ((value >> (8 * i)) & m));
  }
  if (touches(offset, size, pci_reg::kCommand, pci_reg::kCommand + 2) ||
      touches(offset, size, pci_reg::kBar0, pci_reg::kBar0 + 4 * pci_reg::kBarCount) ||
      touches(offset, size, pci_reg::kRomBar, pci_reg::kRomBar + 4))
    update_mappings();
  config_written(offset, size);
}

uint32_t PciDevice::decoded_address(int index) const {
  const Bar& b = bars_[index];
  if (b.size == 0) return kUnmapped;
  const uint32_t raw = config_read(bar_offset(index), 4);
  uint32_t addr;
  uint64_t limit;
  if (index == pci_reg::kRomBarIndex) {
    if (!(command() & pci_reg::kCommandMemory) || !(raw & kRomEnable)) return kUnmapped;
    addr = raw & kRomAddressMask;
    limit = 0xFFFFFFFFu;
  } else if (b.kind == BarKind::Io) {
    if (!(command() & pci_reg::kCommandIo)) return kUnmapped;
    addr = raw & ~3u;
    limit = kIoLimit;
  } else {
    if (!(command() & pci_reg::kCommandMemory)) return kUnmapped;
    addr = raw & ~15u;
    limit = 0xFFFFFFFFu;  // a window ending at 4 GiB is the sizing pattern, not an address
  }
  return addr != 0 && uint64_t(addr) + b.size <= limit ? addr : kUnmapped;
}

uint32_t PciDevice::bar_address(int index) const { return bars_[index].mapped; }

void PciDevice::update_mappings() {
  for (int i = 0; i <= pci_reg::kRomBarIndex; ++i) {
    const uint32_t want = decoded_address(i);
    if (want != bars_[i].mapped) map(i, want);
  }
}

void PciDevice::map(int index, uint32_t addr) {
  Bar& b = bars_[index];
  if (!bus_) return;
  PhysMem& mem = bus_->mem();
  if (b.mapped != kUnmapped) {
    if (b.kind == BarKind::Io) bus_->unmap_io(this, uint16_t(b.mapped));
    else mem.remove_region(b.mapped, b.size);
  }
  b.mapped = addr;
  if (addr != kUnmapped) {
    if (index == pci_reg::kRomBarIndex) {
      // The image goes into PhysMem's memory once; every later mapping shows the same bytes.
      if (!rom_image_.valid()) rom_image_ = mem.load_rom(rom_, std::string(name()) + " ROM");
      mem.map_rom(addr, rom_image_, std::string(name()) + " ROM");
    }
    else if (b.kind == BarKind::Io) bus_->map_io(this, uint16_t(addr), uint16_t(b.size));
    else if (b.log) mem.add_device_ram(addr, b.ram, b.log, std::string(name()) + " BAR" + std::to_string(index));
    else mem.add_mmio(addr, b.size, this, std::string(name()) + " BAR" + std::to_string(index));
  }
  bar_mapped(index, addr);
}

void PciDevice::reset() {
  for (int i = 0; i <= pci_reg::kRomBarIndex; ++i)
    if (bars_[i].mapped != kUnmapped) map(i, kUnmapped);
  if (bus_) cfg_ = power_on_;
}

// ---- PciBus ------------------------------------------------------------------------------------

PciBus::PciBus(IoBus& io, PhysMem& mem) : io_(io), mem_(mem) {
  io_.register_ports(kConfigAddressPort, 8, this);
}

void PciBus::attach(uint8_t devfn, PciDevice* dev) {
  if (!dev || devices_[devfn]) throw std::logic_error("PCI: devfn already in use");
  devices_[devfn] = dev;
  dev->bus_ = this;
  dev->devfn_ = devfn;
  dev->power_on_ = dev->cfg_;
}

void PciBus::reset() {
  config_address_ = 0;
  reset_control_ = 0;
}

void PciBus::map_io(PciDevice* dev, uint16_t base, uint16_t size) {
  for (unsigned p = base; p < base + unsigned(size); ++p) {
    Device* owner = io_.device_at(uint16_t(p));
    if (owner && owner != this) {
      std::fprintf(stderr, "bt86: PCI %s: I/O BAR at 0x%04x overlaps %s; not mapped\n", dev->name(),
                   base, owner->name());
      return;
    }
  }
  io_.register_ports(base, size, this);
  io_windows_.push_back(IoWindow{base, size, dev});
}

void PciBus::unmap_io(PciDevice* dev, uint16_t base) {
  std::erase_if(io_windows_, [&](const IoWindow& w) { return w.dev == dev && w.base == base; });
}

PciDevice* PciBus::config_target(unsigned port, uint8_t& reg) const {
  const uint32_t a = config_address_;
  if (!(a & 0x80000000u) || ((a >> 16) & 0xFF) != 0) return nullptr;  // disabled, or not bus 0
  reg = uint8_t((a & 0xFC) + (port - kConfigDataPort));
  return devices_[(a >> 8) & 0xFF];
}

uint32_t PciBus::io_read(uint16_t port, unsigned size) {
  const uint32_t ones = 0xFFFFFFFFu >> (32 - 8 * size);
  if (port >= kConfigDataPort && port < kConfigDataPort + 4) {
    uint8_t reg = 0;
    PciDevice* d = config_target(port, reg);
    return d ? d->config_read(reg, size) : ones;
  }
  if (port == kConfigAddressPort && size == 4) return config_address_;
  if (port == kResetControlPort && size == 1) return reset_control_;
  if (port >= kConfigAddressPort && port < kConfigDataPort) return ones;
  for (const IoWindow& w : io_windows_)
    if (uint16_t(port - w.base) < w.size) return w.dev->io_read(port, size);
  return ones;
}

void PciBus::io_write(uint16_t port, uint32_t value, unsigned size) {
  if (port >= kConfigDataPort && port < kConfigDataPort + 4) {
    uint8_t reg = 0;
    if (PciDevice* d = config_target(port, reg)) d->config_write(reg, value, size);
    return;
  }
  if (port == kConfigAddressPort && size == 4) {
    config_address_ = value & 0x80FFFFFCu;
    return;
  }
  if (port == kResetControlPort && size == 1) {
    reset_control_ = value & 0x02;  // bit 1: hard reset; bit 2 (reset CPU) is write-only
    if ((value & 0x04) && on_reset_request) on_reset_request();
    return;
  }
  if (port >= kConfigAddressPort && port < kConfigDataPort) return;
  for (const IoWindow& w : io_windows_)
    if (uint16_t(port - w.base) < w.size) return w.dev->io_write(port, value, size);
}

}  // namespace bt86
