// One 8254 counter as a function of virtual time (see pit_counter.h). Time t maps to the number
// of input clocks d since the counting element was loaded (rounded down); the count and OUT
// after d clocks of a cycle of N clocks are, per mode:
//   0 (interrupt on terminal count), 1 (one-shot): count N-d, OUT high from d = N
//   2 (rate generator):   count N - d mod N, OUT low for the one clock at d mod N = N-1
//   3 (square wave):      count falls by 2 per clock, OUT high for the first (N+1)/2 clocks
//   4, 5 (strobes):       count N-d, OUT low for the one clock at d = N
// Counts past zero wrap modulo 0x10000 (10000 in BCD), as the counting element does.
#include "devices/pit_counter.h"

namespace bt86 {

namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000ull;
constexpr uint8_t kStatusOut = 0x80, kStatusNullCount = 0x40;

uint32_t bcd_to_binary(uint16_t v) {
  return (v >> 12 & 0xF) * 1000 + (v >> 8 & 0xF) * 100 + (v >> 4 & 0xF) * 10 + (v & 0xF);
}

uint16_t binary_to_bcd(uint32_t v) {
  return uint16_t((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

}  // namespace

void PitCounter::reset(bool gate) {
  *this = PitCounter{};
  gate_ = gate;
}

void PitCounter::set_control(unsigned mode, unsigned access, bool bcd) {
  mode_ = mode;
  access_ = access;
  bcd_ = bcd;
  phase_ = Phase::Idle;
  frozen_ = reload_pending_ = false;
  null_count_ = true;
  write_msb_next_ = read_msb_next_ = false;
  count_latched_ = status_latched_ = false;
}

uint32_t PitCounter::period_of_register() const {
  const uint32_t n = bcd_ ? bcd_to_binary(register_) : register_;
  return n == 0 ? modulus() : n;
}

uint64_t PitCounter::ticks_at(uint64_t t) const {
  if (frozen_) return frozen_ticks_;
  if (t <= start_ns_) return 0;
  return uint64_t((unsigned __int128)(t - start_ns_) * kClockHz / kNsPerSecond);
}

// Rounded up, so that ticks_at(time_of_tick(d)) == d.
uint64_t PitCounter::time_of_tick(uint64_t tick) const {
  return start_ns_ + uint64_t(((unsigned __int128)tick * kNsPerSecond + kClockHz - 1) / kClockHz);
}

void PitCounter::start(uint64_t now) {
  period_ = period_of_register();
  start_ns_ = now;
  phase_ = Phase::Counting;
  frozen_ = gate_pauses() && !gate_;
  frozen_ticks_ = 0;
  reload_pending_ = false;
  null_count_ = false;
}

void PitCounter::load_written_count(uint64_t now) {
  null_count_ = true;
  apply_pending_reload(now);
  switch (mode_) {
    case 0:
    case 4:
      start(now);
      break;
    case 1:
    case 5:
      if (phase_ == Phase::Idle) phase_ = Phase::Armed;  // the next trigger loads it
      break;
    default:  // 2, 3
      if (phase_ != Phase::Counting) {
        start(now);
      } else if (!frozen_) {
        const uint64_t d = ticks_at(now);
        reload_at_ns_ = time_of_tick((d / period_ + 1) * period_);
        reload_pending_ = true;
      }  // frozen: the gate's rising edge will load it
      break;
  }
}

void PitCounter::apply_pending_reload(uint64_t t) {
  if (!reload_pending_ || t < reload_at_ns_) return;
  start(reload_at_ns_);
}

void PitCounter::write(uint8_t byte, uint64_t now) {
  if (phase_ == Phase::Unprogrammed) return;  // no access mode to take a count in yet
  switch (access_) {
    case 1: register_ = byte; break;
    case 2: register_ = uint16_t(byte << 8); break;
    default:
      if (!write_msb_next_) {
        written_lsb_ = byte;
        write_msb_next_ = true;
        if (mode_ == 0) phase_ = Phase::Idle;  // writing the first byte stops mode 0, OUT low
        return;
      }
      register_ = uint16_t(byte << 8 | written_lsb_);
      write_msb_next_ = false;
      break;
  }
  load_written_count(now);
}

uint8_t PitCounter::read(uint64_t now) {
  if (status_latched_) {
    status_latched_ = false;
    return latched_status_;
  }
  const uint16_t value = count_latched_ ? latched_count_ : count(now);
  bool msb;
  switch (access_) {
    case 1: msb = false; break;
    case 2: msb = true; break;
    default:
      msb = read_msb_next_;
      read_msb_next_ = !read_msb_next_;
      break;
  }
  if (access_ != 3 || msb) count_latched_ = false;  // the latch holds until fully read
  return uint8_t(msb ? value >> 8 : value);
}

void PitCounter::latch_count(uint64_t now) {
  if (count_latched_) return;  // a second latch before the read is ignored
  latched_count_ = count(now);
  count_latched_ = true;
}

uint8_t PitCounter::status(uint64_t now) {
  return uint8_t((out(now) ? kStatusOut : 0) | (null_count_ ? kStatusNullCount : 0) |
                 access_ << 4 | mode_ << 1 | (bcd_ ? 1 : 0));
}

void PitCounter::latch_status(uint64_t now) {
  if (status_latched_) return;
  latched_status_ = status(now);
  status_latched_ = true;
}

void PitCounter::set_gate(bool level, uint64_t now) {
  apply_pending_reload(now);
  if (level == gate_) return;
  gate_ = level;
  if (phase_ == Phase::Unprogrammed) return;
  if (!gate_pauses()) {
    if (level && phase_ != Phase::Idle) start(now);  // modes 1, 5: trigger
    return;
  }
  if (phase_ != Phase::Counting) return;
  if (!level) {
    frozen_ticks_ = ticks_at(now);
    frozen_ = true;
    reload_pending_ = false;  // modes 2, 3: the rising edge reloads from the register anyway
  } else if (periodic()) {
    start(now);  // modes 2, 3: a rising gate restarts the cycle
  } else {
    // Modes 0, 4: continue where counting stopped.
    const uint64_t counted_ns = time_of_tick(frozen_ticks_) - start_ns_;
    frozen_ = false;
    start_ns_ = now > counted_ns ? now - counted_ns : 0;
  }
}

bool PitCounter::out_after(uint64_t d) const {
  const uint64_t n = period_;
  switch (mode_) {
    case 0:
    case 1: return d >= n;
    case 2: return d % n != n - 1;
    case 3: return d % n < (n + 1) / 2;
    default: return d != n;  // 4, 5
  }
}

uint32_t PitCounter::count_after(uint64_t d) const {
  const uint64_t n = period_, m = modulus();
  switch (mode_) {
    case 2: return uint32_t((n - d % n) % m);
    case 3: return uint32_t((n - (2 * d) % n) % m);
    default: return uint32_t((n + m - d % m) % m);  // 0, 1, 4, 5: wraps past zero
  }
}

bool PitCounter::out(uint64_t t) {
  apply_pending_reload(t);
  switch (phase_) {
    case Phase::Unprogrammed: return true;
    case Phase::Idle: return mode_ != 0;
    case Phase::Armed: return true;
    case Phase::Counting: break;
  }
  if (frozen_ && periodic()) return true;  // modes 2, 3: a low gate forces OUT high
  return out_after(ticks_at(t));
}

uint16_t PitCounter::count(uint64_t t) {
  apply_pending_reload(t);
  uint32_t value;
  if (phase_ == Phase::Counting)
    value = count_after(ticks_at(t));
  else
    value = (bcd_ ? bcd_to_binary(register_) : register_) % modulus();  // 0 if unprogrammed
  return bcd_ ? binary_to_bcd(value) : uint16_t(value);
}

uint64_t PitCounter::next_out_change(uint64_t t) {
  apply_pending_reload(t);
  if (phase_ != Phase::Counting || frozen_) return kNever;
  const uint64_t n = period_, d = ticks_at(t);
  uint64_t next;
  switch (mode_) {
    case 0:
    case 1:
      if (d >= n) return kNever;
      next = n;
      break;
    case 2:
    case 3: {
      if (n < 2) return kNever;  // counts 1 (illegal in these modes): OUT never changes
      const uint64_t base = d - d % n, low_at = mode_ == 2 ? n - 1 : (n + 1) / 2;
      next = base + (d % n < low_at ? low_at : n);
      break;
    }
    default:  // 4, 5
      if (d > n) return kNever;
      next = d < n ? n : n + 1;
      break;
  }
  // A pending reload (modes 2, 3) happens at the end of a period, which is a change already
  // found here; the new count's changes are found once the reload has been applied.
  return time_of_tick(next);
}

}  // namespace bt86
