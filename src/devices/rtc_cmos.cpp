// MC146818 RTC and CMOS RAM (see rtc_cmos.h). The calendar is kept in binary and converted to
// the register format (BCD/binary, 12/24 h) on every access, as the mode bits say at that moment.
// DSE and SQWE are stored but have no effect: no daylight-saving switches, no square-wave pin.
#include "devices/rtc_cmos.h"

#include <ctime>

namespace bt86 {

namespace {

constexpr uint64_t kSecondNs = 1'000'000'000ull;
constexpr uint64_t kDividerRestartNs = kSecondNs / 2;  // first update after leaving reset
constexpr uint64_t kCrystalHz = 32768;
constexpr uint8_t kAlarmDontCare = 0xC0;
constexpr uint8_t kPm = 0x80;                 // 12-hour mode: bit 7 of the hours
constexpr uint8_t kInterruptFlags = RtcCmos::kCPf | RtcCmos::kCAf | RtcCmos::kCUf;
// Register B's enables sit at the same bit positions as register C's flags.
static_assert(RtcCmos::kBPie == RtcCmos::kCPf && RtcCmos::kBAie == RtcCmos::kCAf &&
              RtcCmos::kBUie == RtcCmos::kCUf);

int days_in_month(int month, int year) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 31;  // a nonsense month the guest wrote
  return month == 2 && year % 4 == 0 ? 29 : kDays[month - 1];
}

}  // namespace

RtcCmos::RtcCmos(VirtualClock& clock, const std::tm& start)
    : clock_(clock), now_ns_([&clock] { return clock.now_ns(); }) {
  cal_ = {start.tm_sec % 60, start.tm_min,     start.tm_hour,        start.tm_wday + 1,
          start.tm_mday,     start.tm_mon + 1, start.tm_year % 100};
  ram_[kRegA] = kADividerRun | 0x06;  // 1024 Hz periodic rate, as PC BIOSes leave it
  ram_[kRegB] = kB24Hour;
  ram_[kRegD] = kDVrt;
  const uint64_t now = now_ns_();
  divider_epoch_ns_ = now;
  next_update_ns_ = now + kSecondNs;
}

RtcCmos::~RtcCmos() {
  if (timer_) clock_.cancel(timer_);
}

void RtcCmos::set_time_source(std::function<uint64_t()> now_ns) {
  now_ns_ = std::move(now_ns);
  restart_divider(now_ns_());
  next_update_ns_ = divider_epoch_ns_ + kSecondNs;
  schedule_wakeup(divider_epoch_ns_);
}

void RtcCmos::reset() {
  ram_[kRegB] &= uint8_t(~(kBPie | kBAie | kBUie | kBSqwe));
  ram_[kRegC] = 0;
  irq_.lower();
  schedule_wakeup(now_ns_());
}

uint32_t RtcCmos::io_read(uint16_t port, unsigned size) {
  return port == kIndexPort ? 0xFF : read_register(index_);  // the index port is write-only
}

void RtcCmos::io_write(uint16_t port, uint32_t value, unsigned size) {
  if (port == kIndexPort) {
    index_ = value & 0x7F;
    nmi_masked_ = (value & 0x80) != 0;
  } else {
    write_register(index_, uint8_t(value));
  }
}

uint8_t RtcCmos::read_register(uint8_t index) {
  index &= 0x7F;
  const uint64_t now = now_ns_();
  catch_up(now);
  switch (index) {
    case kSeconds: case kMinutes: case kHours: case kDayOfWeek: case kDayOfMonth: case kMonth:
    case kYear:
      return time_register(index);
    case kRegA: {
      const bool uip = divider_running() && !(ram_[kRegB] & kBSet) &&
                       next_update_ns_ - now <= kUipLeadNs;
      return uint8_t(ram_[kRegA] | (uip ? kAUip : 0));
    }
    case kRegC: {
      const uint8_t value = ram_[kRegC];
      ram_[kRegC] = 0;
      irq_.lower();
      schedule_wakeup(now);
      return value;
    }
    case kRegD: return kDVrt;
    default: return ram_[index];
  }
}

void RtcCmos::write_register(uint8_t index, uint8_t value) {
  index &= 0x7F;
  const uint64_t now = now_ns_();
  catch_up(now);
  switch (index) {
    case kSeconds: case kMinutes: case kHours: case kDayOfWeek: case kDayOfMonth: case kMonth:
    case kYear:
      set_time_register(index, value);
      return;
    case kRegA: {
      const bool was_running = divider_running();
      ram_[kRegA] = value & uint8_t(~kAUip);
      if (!was_running && divider_running()) restart_divider(now);
      last_periodic_index_ = periodic_index(now);
      break;
    }
    case kRegB:
      if (value & kBSet) value &= uint8_t(~kBUie);
      ram_[kRegB] = value;
      set_flags(0);  // enabling an interrupt whose flag is already set raises IRQF now
      break;
    case kRegC:
    case kRegD:
      return;  // read-only
    default:
      ram_[index] = value;
      return;
  }
  schedule_wakeup(now);
}

void RtcCmos::catch_up(uint64_t now) {
  if (!divider_running()) return;
  uint8_t flags = 0;
  while (now >= next_update_ns_) {
    if (!(ram_[kRegB] & kBSet)) {
      tick_one_second();
      flags |= kCUf;
      if (alarm_matches()) flags |= kCAf;
    }
    next_update_ns_ += kSecondNs;
  }
  const uint64_t index = periodic_index(now);
  if (periodic_cycles() && index != last_periodic_index_) flags |= kCPf;
  last_periodic_index_ = index;
  set_flags(flags);
}

void RtcCmos::tick_one_second() {
  if (++cal_.sec < 60) return;
  cal_.sec = 0;
  if (++cal_.min < 60) return;
  cal_.min = 0;
  if (++cal_.hour < 24) return;
  cal_.hour = 0;
  cal_.dow = cal_.dow % 7 + 1;
  if (++cal_.day <= days_in_month(cal_.month, cal_.year)) return;
  cal_.day = 1;
  if (++cal_.month <= 12) return;
  cal_.month = 1;
  cal_.year = (cal_.year + 1) % 100;
}

bool RtcCmos::alarm_matches() const {
  for (uint8_t alarm : {kSecondsAlarm, kMinutesAlarm, kHoursAlarm}) {
    const uint8_t want = ram_[alarm];
    if ((want & kAlarmDontCare) != kAlarmDontCare && want != time_register(alarm - 1)) return false;
  }
  return true;
}

void RtcCmos::set_flags(uint8_t flags) {
  ram_[kRegC] |= flags;
  if ((ram_[kRegC] & ram_[kRegB] & kInterruptFlags) && !(ram_[kRegC] & kCIrqf)) {
    ram_[kRegC] |= kCIrqf;
    irq_.raise();
  }
}

void RtcCmos::restart_divider(uint64_t now) {
  divider_epoch_ns_ = now;
  next_update_ns_ = now + kDividerRestartNs;
  last_periodic_index_ = 0;
}

uint64_t RtcCmos::periodic_cycles() const {
  const unsigned rs = ram_[kRegA] & kARateMask;
  if (rs == 0) return 0;
  return rs <= 2 ? 1ull << (rs + 6) : 1ull << (rs - 1);  // RS 1, 2 repeat rates 8 and 9
}

uint64_t RtcCmos::periodic_index(uint64_t now) const {
  const uint64_t cycles = periodic_cycles();
  if (cycles == 0 || now < divider_epoch_ns_) return 0;
  using u128 = unsigned __int128;
  const u128 crystal = u128(now - divider_epoch_ns_) * kCrystalHz / kSecondNs;
  return uint64_t(crystal / cycles);
}

void RtcCmos::schedule_wakeup(uint64_t now) {
  if (timer_) clock_.cancel(timer_);
  timer_ = 0;
  if (!divider_running()) return;
  uint64_t when = UINT64_MAX;
  const uint8_t b = ram_[kRegB];
  if ((b & kBPie) && periodic_cycles()) {
    using u128 = unsigned __int128;
    const u128 next_cycle = u128(periodic_index(now) + 1) * periodic_cycles();
    when = divider_epoch_ns_ + uint64_t((next_cycle * kSecondNs + kCrystalHz - 1) / kCrystalHz);
  }
  if ((b & (kBUie | kBAie)) && !(b & kBSet) && next_update_ns_ < when) when = next_update_ns_;
  if (when == UINT64_MAX) return;
  timer_ = clock_.schedule_at(when, [this] {
    timer_ = 0;
    const uint64_t t = now_ns_();
    catch_up(t);
    schedule_wakeup(t);
  });
}

uint8_t RtcCmos::encode(int value) const {
  return (ram_[kRegB] & kBBinary) ? uint8_t(value) : uint8_t((value / 10) << 4 | value % 10);
}

int RtcCmos::decode(uint8_t reg) const {
  return (ram_[kRegB] & kBBinary) ? reg : (reg >> 4) * 10 + (reg & 0x0F);
}

uint8_t RtcCmos::encode_hour(int hour) const {
  if (ram_[kRegB] & kB24Hour) return encode(hour);
  const int h12 = hour % 12 == 0 ? 12 : hour % 12;
  return uint8_t(encode(h12) | (hour >= 12 ? kPm : 0));
}

int RtcCmos::decode_hour(uint8_t reg) const {
  if (ram_[kRegB] & kB24Hour) return decode(reg);
  const int h12 = decode(reg & uint8_t(~kPm)) % 12;
  return (reg & kPm) ? h12 + 12 : h12;
}

uint8_t RtcCmos::time_register(uint8_t index) const {
  switch (index) {
    case kSeconds: return encode(cal_.sec);
    case kMinutes: return encode(cal_.min);
    case kHours: return encode_hour(cal_.hour);
    case kDayOfWeek: return encode(cal_.dow);
    case kDayOfMonth: return encode(cal_.day);
    case kMonth: return encode(cal_.month);
    default: return encode(cal_.year);
  }
}

void RtcCmos::set_time_register(uint8_t index, uint8_t value) {
  switch (index) {
    case kSeconds: cal_.sec = decode(value) % 60; break;
    case kMinutes: cal_.min = decode(value) % 60; break;
    case kHours: cal_.hour = decode_hour(value) % 24; break;
    case kDayOfWeek: cal_.dow = decode(value); break;
    case kDayOfMonth: cal_.day = decode(value); break;
    case kMonth: cal_.month = decode(value); break;
    default: cal_.year = decode(value) % 100; break;
  }
}

}  // namespace bt86
