// PIIX4 power management: PMBA decoding, the PM1/GPE0 event blocks, PM1 control with S5 and the
// ACPI PM timer (see piix4_pm.h).
#include "devices/piix4_pm.h"

#include <cstdio>

#include "devices/byte_io.h"

namespace bt86 {

namespace {

constexpr PciId kPiix4PmId{0x8086, 0x7113, 0x06, 0x80, 0x00, 0x03};  // bridge/other; rev 3 = PIIX4E
constexpr uint32_t kPmbaAddressMask = 0xFFC0;   // bits 15:6: 64-port aligned
constexpr uint32_t kPmbaIoIndicator = 0x01;     // bit 0 reads 1 (I/O space)
constexpr uint8_t kPmIoEnable = 0x01;           // PMREGMISC bit 0 (PMIOSE)
constexpr uint8_t kApmcEnByte3 = 0x02;          // DEVACTB bit 25 (APMC_EN)
constexpr uint64_t kNsPerSecond = 1'000'000'000;
constexpr unsigned kTmrSts24Bit = 23;           // TMR_STS follows bit 23 of the counter
constexpr uint32_t kTimerMask = 0xFFFFFF;

void put_le16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v); p[1] = uint8_t(v >> 8); }

}  // namespace

Piix4Pm::Piix4Pm(VirtualClock& clock) : PciDevice(kPiix4PmId), clock_(clock) {
  set_interrupt_pin(1);  // INTA#, as QEMU declares it; the SCI itself is ISA IRQ 9
  cfg(kPmba) = kPmbaIoIndicator;
  set_write_mask(kPmba, 4, kPmbaAddressMask);
  set_write_mask(kPmRegMisc, 1, kPmIoEnable);
  cfg(kDevActB3) = kApmcEnByte3;
  reset();
}

void Piix4Pm::reset() {
  PciDevice::reset();
  cancel_timer_event();
  pm1_sts_ = pm1_en_ = 0;
  pm1_cnt_ = kSciEn;
  gpe0_sts_ = gpe0_en_ = 0;
  tmr_sts_cleared_epoch_ = timer_epoch();
  update_decoding();
  update_sci();
}

void Piix4Pm::enable_as_firmware_would() {
  config_write(kPmba, kFirmwarePmBase | kPmbaIoIndicator, 4);
  config_write(kPmRegMisc, kPmIoEnable, 1);
  config_write(pci_reg::kInterruptLine, kSciIrq, 1);
}

void Piix4Pm::config_written(uint8_t offset, unsigned size) {
  if ((offset < kPmba + 4 && offset + size > kPmba) || offset == kPmRegMisc) update_decoding();
}

// The IoBus cannot unregister ports, so the block's ports are claimed once and accesses outside
// the currently decoded window are answered as absent (all ones, writes dropped).
void Piix4Pm::update_decoding() {
  decoded_base_ = 0;
  const uint16_t base = uint16_t(config_read(kPmba, 4) & kPmbaAddressMask);
  if (!(cfg(kPmRegMisc) & kPmIoEnable) || base == 0 || !bus()) return;
  if (!claimed_ || base != claimed_base_) {
    IoBus& io = bus()->io();
    for (unsigned p = base; p < base + unsigned(kBlockSize); ++p) {
      Device* owner = io.device_at(uint16_t(p));
      if (owner && owner != this) {
        if (!warned_collision_)
          std::fprintf(stderr, "bt86: piix4-pm: PM base 0x%04x overlaps %s's ports: not decoded\n",
                       base, owner->name());
        warned_collision_ = true;
        return;
      }
    }
    for (unsigned p = base; p < base + unsigned(kBlockSize); ++p)
      if (!io.device_at(uint16_t(p))) io.register_ports(uint16_t(p), 1, this);
    claimed_base_ = base;
    claimed_ = true;
  }
  decoded_base_ = base;
}

uint64_t Piix4Pm::ticks_now() const {
  return uint64_t((unsigned __int128)clock_.now_ns() * kTimerHz / kNsPerSecond);
}

uint32_t Piix4Pm::timer_ticks() const { return uint32_t(ticks_now() & kTimerMask); }

uint16_t Piix4Pm::pm1_status() const {
  return uint16_t(pm1_sts_ | (timer_epoch() != tmr_sts_cleared_epoch_ ? kTmrSts : 0));
}

uint32_t Piix4Pm::io_read(uint16_t port, unsigned size) {
  const uint16_t base = decoded_base_;
  if (!base || port < base || port + size > base + unsigned(kBlockSize)) return 0xFFFFFFFFu >> (32 - 8 * size);
  // One snapshot of the 16 bytes of implemented registers per access.
  uint8_t snap[16] = {};
  put_le16(snap + kPm1Sts, pm1_status());
  put_le16(snap + kPm1En, pm1_en_);
  put_le16(snap + kPm1Cnt, pm1_cnt_);
  const uint32_t tmr = timer_ticks();
  for (unsigned i = 0; i < 4; ++i) snap[kPmTmr + i] = uint8_t(tmr >> (8 * i));
  put_le16(snap + kGpe0Sts, gpe0_sts_);
  put_le16(snap + kGpe0En, gpe0_en_);
  return read_split_bytes(port, size, [&](uint16_t p) { return read_byte(uint16_t(p - base), snap); });
}

uint8_t Piix4Pm::read_byte(uint16_t offset, const uint8_t* snapshot) const {
  return offset < 16 ? snapshot[offset] : 0;
}

void Piix4Pm::io_write(uint16_t port, uint32_t value, unsigned size) {
  const uint16_t base = decoded_base_;
  if (!base || port < base || port + size > base + unsigned(kBlockSize)) return;
  write_split_bytes(port, value, size, [&](uint16_t p, uint8_t v) { write_byte(uint16_t(p - base), v); });
  update_sci();
}

void Piix4Pm::write_byte(uint16_t offset, uint8_t value) {
  const unsigned shift = 8 * (offset & 1);
  const uint16_t bits = uint16_t(value << shift);
  switch (offset) {
    case kPm1Sts: case kPm1Sts + 1:
      if (bits & kTmrSts) {
        tmr_sts_cleared_epoch_ = timer_epoch();
        if (pm1_en_ & kTmrSts) schedule_timer_event();
      }
      pm1_sts_ &= uint16_t(~bits);
      return;
    case kPm1En: case kPm1En + 1:
      pm1_en_ = uint16_t((pm1_en_ & ~(0xFFu << shift)) | (bits & kPm1EnMask));
      if (pm1_en_ & kTmrSts) schedule_timer_event(); else cancel_timer_event();
      return;
    case kPm1Cnt:  // SCI_EN stays set (no SMM to return to); BM_RLD is stored; GBL_RLS is ignored
      pm1_cnt_ = uint16_t((pm1_cnt_ & 0xFF00) | (value & kBmRld) | kSciEn);
      return;
    case kPm1Cnt + 1:
      write_pm1_cnt_high(value);
      return;
    case kPmTmr: case kPmTmr + 1: case kPmTmr + 2: case kPmTmr + 3:
      return;  // read-only
    case kGpe0Sts: case kGpe0Sts + 1:
      gpe0_sts_ &= uint16_t(~bits);
      return;
    case kGpe0En: case kGpe0En + 1:
      gpe0_en_ = uint16_t((gpe0_en_ & ~(0xFFu << shift)) | bits);
      return;
    default:
      if (!warned_offset_[offset])
        std::fprintf(stderr, "bt86: piix4-pm: unimplemented PM register at offset 0x%02x: write ignored\n",
                     offset);
      warned_offset_[offset] = true;
  }
}

void Piix4Pm::write_pm1_cnt_high(uint8_t value) {
  const uint16_t high = uint16_t(value << 8);
  pm1_cnt_ = uint16_t((pm1_cnt_ & 0x00FF) | (high & kSlpTypMask));
  if (!(high & kSlpEn)) return;
  const unsigned type = (high & kSlpTypMask) >> kSlpTypShift;
  if (type == kSlpTypSoftOff) {
    if (on_power_off) on_power_off();
    return;
  }
  if (!warned_sleep_type_[type])
    std::fprintf(stderr, "bt86: piix4-pm: unimplemented sleep type %u (SLP_TYP) ignored\n", type);
  warned_sleep_type_[type] = true;
}

void Piix4Pm::press_power_button() {
  pm1_sts_ |= kPwrBtnSts;
  update_sci();
}

void Piix4Pm::raise_gpe(unsigned bit) {
  gpe0_sts_ |= uint16_t(1u << (bit & 15));
  update_sci();
}

void Piix4Pm::update_sci() {
  const bool level = (pm1_status() & pm1_en_) || (gpe0_sts_ & gpe0_en_);
  if (level == sci_level_) return;
  sci_level_ = level;
  sci_.set(level);
}

void Piix4Pm::schedule_timer_event() {
  cancel_timer_event();
  if (timer_epoch() != tmr_sts_cleared_epoch_) return;  // already set: the SCI is up
  const uint64_t next_toggle = (tmr_sts_cleared_epoch_ + 1) << kTmrSts24Bit;
  const uint64_t when_ns = uint64_t(((unsigned __int128)next_toggle * kNsPerSecond + kTimerHz - 1) / kTimerHz);
  timer_event_ = clock_.schedule_at(when_ns, [this] {
    timer_event_ = 0;
    update_sci();
  });
}

void Piix4Pm::cancel_timer_event() {
  if (timer_event_) clock_.cancel(timer_event_);
  timer_event_ = 0;
}

}  // namespace bt86
