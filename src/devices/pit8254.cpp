// The 8254 (see pit8254.h): port decoding, control words and IRQ0 events. An IRQ0 event fires
// at a change of counter 0's OUT, sets IRQ0 to OUT as of the event's own time (so a one-clock
// low pulse of mode 2 is not lost when the event runs late), replays the changes it missed when
// it runs late (feeding the tick backlog, see pit8254.h) and schedules the next change.
#include "devices/pit8254.h"

#include <algorithm>

#include "devices/byte_io.h"

namespace bt86 {

namespace {

constexpr uint16_t kControlPort = 0x43;
constexpr unsigned kReadBack = 3;              // SC field value of the read-back command
constexpr uint8_t kReadBackNoCount = 0x20, kReadBackNoStatus = 0x10;
// When IRQ0 events fall behind virtual time, the missed changes of OUT are played back (their
// rising edges feed the tick backlog) up to this many; beyond it the backlog is full anyway.
constexpr unsigned kMaxReplayedChanges = 2 * Pit8254::kMaxBacklog + 4;

}  // namespace

Pit8254::~Pit8254() {
  if (timer_) clock_.cancel(timer_);
}

void Pit8254::attach(IoBus& io) { io.register_ports(kBasePort, 4, this); }

void Pit8254::reset() {
  backlog_ = 0;
  tick_in_flight_ = irq0_level_ = false;
  for (unsigned i = 0; i < kCounters; ++i) counters_[i].reset(/*gate=*/i != 2);
  counter0_changed();
}

void Pit8254::set_gate(unsigned counter, bool level) {
  counters_[counter].set_gate(level, clock_.now_ns());
  if (counter == 0) counter0_changed();
}

uint32_t Pit8254::io_read(uint16_t port, unsigned size) {
  const uint64_t now = clock_.now_ns();
  return read_split_bytes(port, size, [&](uint16_t p) -> uint8_t {
    const unsigned index = p - kBasePort;
    return index < kCounters ? counters_[index].read(now) : 0xFF;  // 0x43 is write-only
  });
}

void Pit8254::io_write(uint16_t port, uint32_t value, unsigned size) {
  const uint64_t now = clock_.now_ns();
  bool counter0_touched = false;
  write_split_bytes(port, value, size, [&](uint16_t p, uint8_t byte) {
    const unsigned index = p - kBasePort;
    if (p == kControlPort)
      write_control(byte, now);
    else if (index < kCounters)
      counters_[index].write(byte, now);
    counter0_touched |= p == kControlPort || index == 0;
  });
  if (counter0_touched) counter0_changed();
}

// Control word: SC (bits 7-6), RW (5-4; 0 = counter latch), M (3-1; 6 and 7 alias 2 and 3),
// BCD (0).
void Pit8254::write_control(uint8_t value, uint64_t now) {
  const unsigned select = value >> 6, access = (value >> 4) & 3;
  if (select == kReadBack) return read_back(value, now);
  PitCounter& c = counters_[select];
  if (access == 0) return c.latch_count(now);
  unsigned mode = (value >> 1) & 7;
  if (mode >= 6) mode -= 4;
  c.set_control(mode, access, value & 1);
  if (select == 0) {  // a new mode: ticks of the old one are not owed, not even one in flight,
    backlog_ = 0;      // so the new mode's first rising edge is a fresh tick
    tick_in_flight_ = false;
  }
}

// Read-back: bit 5 clear latches the count, bit 4 clear latches the status, of each counter
// whose bit (1-3) is set.
void Pit8254::read_back(uint8_t command, uint64_t now) {
  for (unsigned i = 0; i < kCounters; ++i) {
    if (!(command & (2u << i))) continue;
    if (!(command & kReadBackNoCount)) counters_[i].latch_count(now);
    if (!(command & kReadBackNoStatus)) counters_[i].latch_status(now);
  }
}

bool Pit8254::note_out(bool level) {
  const bool rising = level && !irq0_level_;
  if (rising) {
    if (tick_in_flight_) backlog_ = std::min(backlog_ + 1, kMaxBacklog);
    tick_in_flight_ = true;
  }
  irq0_level_ = level;
  return rising;
}

void Pit8254::drive_irq0(bool level) {
  note_out(level);
  irq0.set(level);
}

void Pit8254::irq0_acknowledged() {
  tick_in_flight_ = false;
  if (backlog_ == 0) return;
  --backlog_;
  tick_in_flight_ = true;
  rising_edge_then_out();
}

void Pit8254::rising_edge_then_out() {
  irq0.set(false);
  irq0.set(true);
  irq0.set(irq0_level_);
}

void Pit8254::counter0_changed() {
  const uint64_t now = clock_.now_ns();
  drive_irq0(counters_[0].out(now));
  schedule_counter0(counters_[0].next_out_change(now));
}

void Pit8254::schedule_counter0(uint64_t when) {
  if (timer_) clock_.cancel(timer_);
  timer_ = 0;
  if (when == PitCounter::kNever) return;
  timer_ = clock_.schedule_at(when, [this, when] { on_counter0_event(when); });
}

void Pit8254::on_counter0_event(uint64_t when) {
  timer_ = 0;
  const uint64_t now = clock_.now_ns();
  PitCounter& c = counters_[0];
  // Replay the changes that are due without wiggling the line for each: one edge reaches the
  // PIC, the other rising edges go to the backlog.
  bool rose = false;
  for (unsigned i = 0; i < kMaxReplayedChanges && when <= now; ++i) {
    rose |= note_out(c.out(when));
    when = c.next_out_change(when);
  }
  if (when <= now) {
    rose |= note_out(c.out(now));
    when = c.next_out_change(now);
  }
  if (rose) rising_edge_then_out();
  else irq0.set(irq0_level_);
  schedule_counter0(when);
}

}  // namespace bt86
