// One IDE channel (cable): up to two devices (master = unit 0, slave = unit 1), the shared
// command-block registers (offsets 0-7 from the base port), the control block (alternate
// status / device control), the channel's interrupt line and its bus-master DMA engine.
//
// Register writes go to both devices, reads come from the selected one (DEV bit of the device
// register); an absent selected device reads as zero. The device control register holds nIEN
// (interrupt line disabled), SRST (soft reset of both devices while set) and HOB (reads of the
// shadowed registers return the previous, high-order byte). Reading the status register
// acknowledges the selected device's interrupt; the alternate status does not.
#pragma once
#include <array>
#include <memory>
#include "devices/device.h"
#include "devices/ide_bus_master.h"
#include "devices/ide_drive.h"

namespace bt86 {

class IdeChannel : public IdeDrive::Link {
 public:
  explicit IdeChannel(PhysMem& mem);
  void set_irq_line(IrqLine line) { irq_ = line; }
  void attach(unsigned unit, std::unique_ptr<IdeDrive> drive);
  IdeDrive* drive(unsigned unit) const { return drives_[unit].get(); }
  IdeBusMaster& bus_master() { return bm_; }
  void reset();  // hardware reset of the channel and its devices

  uint32_t read(unsigned reg, unsigned size);     // command block, reg 0-7
  void write(unsigned reg, uint32_t value, unsigned size);
  uint8_t alt_status() const;
  void write_control(uint8_t value);
  uint8_t control() const { return control_; }
  bool irq_level() const { return level_; }

 private:
  void drive_irq_changed() override { update_irq(); }
  void drive_dma_requested() override { run_dma(); }
  IdeDrive* selected() const { return drives_[unit_].get(); }
  bool empty() const { return !drives_[0] && !drives_[1]; }
  uint8_t read_byte(unsigned reg);
  void write_byte(unsigned reg, uint8_t value);
  void update_irq();
  void run_dma();  // when both the selected device and the bus master are ready

  std::array<std::unique_ptr<IdeDrive>, 2> drives_;
  IdeBusMaster bm_;
  IrqLine irq_;
  unsigned unit_ = 0;          // selected device
  uint8_t device_reg_ = 0xA0;  // last device register write (read back for an absent device)
  uint8_t control_ = 0;
  bool level_ = false;         // current level of the interrupt line
};

}  // namespace bt86
