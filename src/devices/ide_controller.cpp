// Legacy port and BAR4 decoding of the PIIX3 IDE controller (see ide_controller.h).
#include "devices/ide_controller.h"

namespace bt86 {

namespace {
constexpr unsigned kControlBlock = 8;     // pseudo register number of alt status / device control
constexpr unsigned kBusMasterStride = 8;  // bytes of BAR4 per channel
}  // namespace

IdeController::IdeController(PhysMem& mem) {
  for (auto& c : channels_) c = std::make_unique<IdeChannel>(mem);
}

void IdeController::attach(IoBus& io, IrqSink* pic) {
  io.register_ports(kPrimaryBase, 8, this);
  io.register_ports(kPrimaryControl, 1, this);
  io.register_ports(kSecondaryBase, 8, this);
  io.register_ports(kSecondaryControl, 1, this);
  channels_[0]->set_irq_line(IrqLine(pic, kPrimaryIrq));
  channels_[1]->set_irq_line(IrqLine(pic, kSecondaryIrq));
}

void IdeController::attach_drive(unsigned channel, unsigned unit, std::unique_ptr<IdeDrive> drive) {
  channels_[channel]->attach(unit, std::move(drive));
}

void IdeController::set_bus_master_enable(const std::function<bool()>& enabled) {
  for (auto& c : channels_) c->bus_master().may_master = enabled;
}

void IdeController::reset() {
  for (auto& c : channels_) c->reset();
}

IdeChannel* IdeController::decode(uint16_t port, unsigned& reg) {
  for (unsigned i = 0; i < 2; ++i) {
    const uint16_t base = i == 0 ? kPrimaryBase : kSecondaryBase;
    const uint16_t control = i == 0 ? kPrimaryControl : kSecondaryControl;
    if (port >= base && port < base + 8) { reg = port - base; return channels_[i].get(); }
    if (port == control) { reg = kControlBlock; return channels_[i].get(); }
  }
  return nullptr;
}

uint32_t IdeController::io_read(uint16_t port, unsigned size) {
  unsigned reg = 0;
  IdeChannel* c = decode(port, reg);
  if (!c) return 0xFFFFFFFFu >> (32 - 8 * size);
  if (reg == kControlBlock) return c->alt_status();
  return c->read(reg, size);
}

void IdeController::io_write(uint16_t port, uint32_t value, unsigned size) {
  unsigned reg = 0;
  IdeChannel* c = decode(port, reg);
  if (!c) return;
  if (reg == kControlBlock) c->write_control(uint8_t(value));
  else c->write(reg, value, size);
}

uint32_t IdeController::bus_master_read(unsigned offset, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) {
    const unsigned at = (offset + i) % kBusMasterBytes;
    v |= channels_[at / kBusMasterStride]->bus_master().read(at % kBusMasterStride, 1) << (8 * i);
  }
  return v;
}

void IdeController::bus_master_write(unsigned offset, uint32_t value, unsigned size) {
  // Byte by byte: a wider access may cover several registers (e.g. a dword at offset 0).
  for (unsigned i = 0; i < size; ++i) {
    const unsigned at = (offset + i) % kBusMasterBytes;
    channels_[at / kBusMasterStride]->bus_master().write(at % kBusMasterStride, uint8_t(value >> (8 * i)), 1);
  }
}

}  // namespace bt86
