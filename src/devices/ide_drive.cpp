// The device side of the ATA protocol shared by disks and CD-ROMs (see ide_drive.h).
#include "devices/ide_drive.h"

#include <algorithm>
#include <cstdio>

namespace bt86 {

namespace {

// SET FEATURES subcommands (feature register) and transfer-mode classes (count register).
constexpr uint8_t kFeatSetTransferMode = 0x03, kFeatWriteCacheOn = 0x02, kFeatWriteCacheOff = 0x82;
constexpr uint8_t kFeatLookAheadOn = 0xAA, kFeatLookAheadOff = 0x55, kFeatRevertOff = 0x66,
                  kFeatRevertOn = 0xCC;
constexpr uint8_t kModePioDefault = 0x00, kModePio = 0x08, kModeMwdma = 0x20, kModeUdma = 0x40;
constexpr uint8_t kMaxPio = 4, kMaxMwdma = 2, kMaxUdma = 2;
constexpr uint8_t kNone = 0xFF;

}  // namespace

void IdeDrive::write_register(unsigned reg, uint8_t value) {
  if (status_ & ata::kBsy) return;  // a busy device ignores the task file
  auto shift = [value](uint8_t& cur, uint8_t& hob) { hob = cur; cur = value; };
  switch (reg) {
    case 1: shift(tf_.feature, tf_.hob_feature); break;
    case 2: shift(tf_.count, tf_.hob_count); break;
    case 3: shift(tf_.lba_low, tf_.hob_lba_low); break;
    case 4: shift(tf_.lba_mid, tf_.hob_lba_mid); break;
    case 5: shift(tf_.lba_high, tf_.hob_lba_high); break;
    case 6: tf_.device = value | 0xA0; break;  // bits 7 and 5 are obsolete and read as one
    default: break;
  }
}

uint8_t IdeDrive::read_register(unsigned reg, bool hob) const {
  switch (reg) {
    case 1: return error_;
    case 2: return hob ? tf_.hob_count : tf_.count;
    case 3: return hob ? tf_.hob_lba_low : tf_.lba_low;
    case 4: return hob ? tf_.hob_lba_mid : tf_.lba_mid;
    case 5: return hob ? tf_.hob_lba_high : tf_.lba_high;
    case 6: return tf_.device;
    default: return status_;
  }
}

void IdeDrive::command(uint8_t cmd) {
  if (status_ & ata::kBsy) return;
  pio_ = Pio::None;
  dma_pending_ = false;
  clear_irq();
  error_ = 0;
  if (execute(cmd) || common_command(cmd)) return;
  log_unknown(cmd);
  abort_command();
}

void IdeDrive::log_unknown(uint8_t cmd) {
  if (warned_[cmd]) return;
  warned_[cmd] = true;
  std::fprintf(stderr, "bt86: ide %s: unsupported ATA command 0x%02x (aborted)\n", kind(), cmd);
}

bool IdeDrive::common_command(uint8_t cmd) {
  switch (cmd) {
    case ata::kCmdExecuteDiagnostic:
      write_signature();
      error_ = 0x01;  // device 0 passed (device 1 passed or absent)
      status_ = status_after_reset();
      raise_irq();
      return true;
    case ata::kCmdSetFeatures:
      if (set_features()) finish();
      else abort_command();
      return true;
    case ata::kCmdCheckPowerMode:
    case ata::kCmdCheckPowerModeOld:
      tf_.count = 0xFF;  // active or idle
      finish();
      return true;
    case ata::kCmdStandbyImmediate: case ata::kCmdIdleImmediate: case ata::kCmdStandby:
    case ata::kCmdIdle: case ata::kCmdStandbyOld: case ata::kCmdIdleImmediateOld:
    case ata::kCmdStandbyOld2: case ata::kCmdIdleOld:
      finish();  // power states have no effect on an emulated drive
      return true;
    default:
      return false;
  }
}

bool IdeDrive::set_features() {
  switch (tf_.feature) {
    case kFeatSetTransferMode: {
      const uint8_t cls = tf_.count & 0xF8, n = tf_.count & 0x07;
      if (cls == kModePioDefault || (cls == kModePio && n <= kMaxPio)) return true;
      if (cls == kModeMwdma && n <= kMaxMwdma) { mwdma_mode_ = n; udma_mode_ = kNone; return true; }
      if (cls == kModeUdma && n <= kMaxUdma) { udma_mode_ = n; mwdma_mode_ = kNone; return true; }
      return false;
    }
    case kFeatWriteCacheOn: write_cache_ = true; return true;
    case kFeatWriteCacheOff: write_cache_ = false; return true;
    case kFeatLookAheadOn: case kFeatLookAheadOff: case kFeatRevertOff: case kFeatRevertOn:
      return true;  // read look-ahead and power-on defaults change nothing here
    default:
      return false;
  }
}

void IdeDrive::finish(uint8_t error_bits, bool interrupt) {
  pio_ = Pio::None;
  dma_pending_ = false;
  error_ = error_bits;
  status_ = ata::kDrdy | ata::kDsc | (error_bits ? ata::kErr : 0);
  if (interrupt) raise_irq();
}

void IdeDrive::raise_irq() {
  irq_pending_ = true;
  if (link_) link_->drive_irq_changed();
}

void IdeDrive::clear_irq() {
  if (!irq_pending_) return;
  irq_pending_ = false;
  if (link_) link_->drive_irq_changed();
}

void IdeDrive::start_pio_in(bool interrupt) {
  pio_ = Pio::In;
  pos_ = 0;
  status_ = ata::kDrdy | ata::kDsc | ata::kDrq;
  if (interrupt) raise_irq();
}

void IdeDrive::start_pio_out(size_t len, bool interrupt) {
  buf_.assign(len, 0);
  pio_ = Pio::Out;
  pos_ = 0;
  status_ = ata::kDrdy | ata::kDsc | ata::kDrq;
  if (interrupt) raise_irq();
}

void IdeDrive::request_dma() {
  dma_pending_ = true;
  status_ = ata::kDrdy | ata::kDsc | ata::kDrq;
  if (link_) link_->drive_dma_requested();
}

void IdeDrive::start_identify_data(const std::array<uint16_t, 256>& id) {
  buf_.resize(2 * id.size());
  for (size_t i = 0; i < id.size(); ++i) {  // little-endian words
    buf_[2 * i] = uint8_t(id[i]);
    buf_[2 * i + 1] = uint8_t(id[i] >> 8);
  }
  start_pio_in();
}

uint32_t IdeDrive::read_data(unsigned size) {
  if (pio_ != Pio::In) return 0xFFFFFFFFu >> (32 - 8 * size);
  uint32_t v = 0;
  const size_t n = std::min<size_t>(size, buf_.size() - pos_);
  for (size_t i = 0; i < n; ++i) v |= uint32_t(buf_[pos_ + i]) << (8 * i);
  pos_ += n;
  if (pos_ >= buf_.size()) {
    pio_ = Pio::None;
    status_ &= uint8_t(~ata::kDrq);
    pio_buffer_done();
  }
  return v;
}

void IdeDrive::write_data(uint32_t value, unsigned size) {
  if (pio_ != Pio::Out) return;
  const size_t n = std::min<size_t>(size, buf_.size() - pos_);
  for (size_t i = 0; i < n; ++i) buf_[pos_ + i] = uint8_t(value >> (8 * i));
  pos_ += n;
  if (pos_ >= buf_.size()) {
    pio_ = Pio::None;
    status_ &= uint8_t(~ata::kDrq);
    pio_buffer_done();
  }
}

void IdeDrive::run_dma(IdeDmaPort& port) {
  if (!dma_pending_) return;
  dma_pending_ = false;
  dma_transfer(port);
}

void IdeDrive::soft_reset_begin() {
  pio_ = Pio::None;
  dma_pending_ = false;
  clear_irq();
  status_ = ata::kBsy;
}

void IdeDrive::write_signature() {
  tf_.count = 1;
  tf_.lba_low = 1;
  tf_.lba_mid = uint8_t(signature());
  tf_.lba_high = uint8_t(signature() >> 8);
  tf_.device = 0;
}

void IdeDrive::soft_reset_end() {
  tf_ = TaskFile{};
  write_signature();
  error_ = 0x01;  // diagnostic code: no error
  status_ = status_after_reset();
}

void IdeDrive::power_on_reset() {
  mwdma_mode_ = udma_mode_ = kNone;
  write_cache_ = true;
  restore_defaults();
  soft_reset_begin();
  soft_reset_end();
}

void IdeDrive::put_string(uint16_t* words, unsigned first, unsigned count_words, const std::string& s) {
  for (unsigned i = 0; i < count_words; ++i) {
    const char hi = 2 * i < s.size() ? s[2 * i] : ' ', lo = 2 * i + 1 < s.size() ? s[2 * i + 1] : ' ';
    words[first + i] = uint16_t(uint8_t(hi) << 8 | uint8_t(lo));
  }
}

void IdeDrive::put_transfer_modes(uint16_t* id) const {
  id[51] = 0x0200;                 // PIO data transfer cycle timing mode 2
  id[53] |= 0x0006;                // words 64-70 and 88 are valid
  id[63] = uint16_t(0x0007 | (mwdma_mode_ != kNone ? 0x0100 << mwdma_mode_ : 0));  // MWDMA 0-2
  id[64] = 0x0003;                 // PIO modes 3 and 4
  for (unsigned w = 65; w <= 68; ++w) id[w] = 120;  // minimum cycle times (ns)
  id[88] = uint16_t(0x0007 | (udma_mode_ != kNone ? 0x0100 << udma_mode_ : 0));    // UDMA 0-2
}

void IdeDrive::put_checksum(uint16_t* id) {
  uint8_t sum = 0xA5;
  for (unsigned w = 0; w < 255; ++w) sum = uint8_t(sum + (id[w] & 0xFF) + (id[w] >> 8));
  id[255] = uint16_t(uint8_t(-sum) << 8 | 0xA5);
}

}  // namespace bt86
