// The PIIX3 IDE controller's two legacy channels: primary at ports 0x1F0-0x1F7 + 0x3F6 on IRQ 14,
// secondary at 0x170-0x177 + 0x376 on IRQ 15 (ISA compatibility mode, as the PIIX3 always runs
// them), plus the 16 bytes of bus-master registers that the PCI function's BAR4 decodes
// (primary at offset 0, secondary at offset 8). The PCI function (piix3.h) owns configuration
// space and forwards its BAR4 accesses to bus_master_read/bus_master_write.
#pragma once
#include <array>
#include <functional>
#include <memory>
#include "devices/device.h"
#include "devices/ide_channel.h"
#include "devices/io_bus.h"

namespace bt86 {

class IdeController : public Device {
 public:
  static constexpr uint16_t kPrimaryBase = 0x1F0, kPrimaryControl = 0x3F6;
  static constexpr uint16_t kSecondaryBase = 0x170, kSecondaryControl = 0x376;
  static constexpr unsigned kPrimaryIrq = 14, kSecondaryIrq = 15;
  static constexpr unsigned kBusMasterBytes = 16;

  explicit IdeController(PhysMem& mem);
  // Claims the legacy ports and connects the channels to IRQ 14 and 15 of `pic`.
  void attach(IoBus& io, IrqSink* pic);
  // channel 0 = primary, 1 = secondary; unit 0 = master, 1 = slave.
  void attach_drive(unsigned channel, unsigned unit, std::unique_ptr<IdeDrive> drive);
  IdeChannel& channel(unsigned index) { return *channels_[index]; }

  // DMA runs only while `enabled` says the PCI function may master the bus.
  void set_bus_master_enable(const std::function<bool()>& enabled);

  // BAR4 registers, offset 0-15.
  uint32_t bus_master_read(unsigned offset, unsigned size);
  void bus_master_write(unsigned offset, uint32_t value, unsigned size);

  const char* name() const override { return "ide"; }
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

 private:
  // The channel and register a legacy port belongs to; reg 8 is the control block.
  IdeChannel* decode(uint16_t port, unsigned& reg);

  std::array<std::unique_ptr<IdeChannel>, 2> channels_;
};

}  // namespace bt86
