// IDE channel register dispatch, device selection, soft reset and interrupt line (see
// ide_channel.h).
#include "devices/ide_channel.h"

namespace bt86 {

namespace {
constexpr unsigned kRegData = 0, kRegDevice = 6, kRegCommand = 7;
}  // namespace

IdeChannel::IdeChannel(PhysMem& mem) : bm_(mem) {
  bm_.on_start = [this] { run_dma(); };
}

void IdeChannel::attach(unsigned unit, std::unique_ptr<IdeDrive> drive) {
  drives_[unit] = std::move(drive);
  drives_[unit]->connect(this);
}

void IdeChannel::reset() {
  for (auto& d : drives_)
    if (d) d->power_on_reset();
  bm_.reset();
  unit_ = 0;
  device_reg_ = 0xA0;
  control_ = 0;
  update_irq();
}

uint8_t IdeChannel::read_byte(unsigned reg) {
  IdeDrive* d = selected();
  if (!d) return reg == kRegDevice && !empty() ? device_reg_ : 0;
  if (reg == kRegCommand) {
    const uint8_t st = d->status();
    d->clear_irq();
    return st;
  }
  return d->read_register(reg, control_ & ata::kCtlHob);
}

void IdeChannel::write_byte(unsigned reg, uint8_t value) {
  if (reg == kRegCommand) {
    if (value == ata::kCmdExecuteDiagnostic) {  // addressed to both devices
      for (auto& d : drives_)
        if (d) d->command(value);
      unit_ = 0;
    } else if (IdeDrive* d = selected()) {
      d->command(value);
    }
    update_irq();
    return;
  }
  control_ &= uint8_t(~ata::kCtlHob);  // a command-block write clears HOB
  for (auto& d : drives_)
    if (d) d->write_register(reg, value);
  if (reg == kRegDevice) {
    device_reg_ = value | 0xA0;
    unit_ = (value & ata::kDevSlave) ? 1 : 0;
    update_irq();
  }
}

uint32_t IdeChannel::read(unsigned reg, unsigned size) {
  if (reg == kRegData) {
    IdeDrive* d = selected();
    return d ? d->read_data(size) : 0xFFFFFFFFu >> (32 - 8 * size);
  }
  uint32_t v = 0;
  for (unsigned i = 0; i < size && reg + i <= kRegCommand; ++i) v |= uint32_t(read_byte(reg + i)) << (8 * i);
  return v;
}

void IdeChannel::write(unsigned reg, uint32_t value, unsigned size) {
  if (reg == kRegData) {
    if (IdeDrive* d = selected()) d->write_data(value, size);
    return;
  }
  for (unsigned i = 0; i < size && reg + i <= kRegCommand; ++i) write_byte(reg + i, uint8_t(value >> (8 * i)));
}

uint8_t IdeChannel::alt_status() const {
  const IdeDrive* d = selected();
  return d ? d->status() : 0;
}

void IdeChannel::write_control(uint8_t value) {
  const bool was_reset = control_ & ata::kCtlSrst, reset_now = value & ata::kCtlSrst;
  control_ = value;
  if (reset_now && !was_reset) {
    for (auto& d : drives_)
      if (d) d->soft_reset_begin();
  } else if (!reset_now && was_reset) {
    for (auto& d : drives_)
      if (d) d->soft_reset_end();
    unit_ = 0;  // the signature's device register selects device 0
    device_reg_ = 0xA0;
  }
  update_irq();
}

void IdeChannel::update_irq() {
  const IdeDrive* d = selected();
  const bool level = d && d->irq_pending() && !(control_ & ata::kCtlNien);
  if (level == level_) return;
  level_ = level;
  if (level) bm_.note_interrupt();
  irq_.set(level);
}

void IdeChannel::run_dma() {
  IdeDrive* d = selected();
  if (!d || !d->dma_pending() || !bm_.running()) return;
  d->run_dma(bm_);
  bm_.transfer_done();
}

}  // namespace bt86
