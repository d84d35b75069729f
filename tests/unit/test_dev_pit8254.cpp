// 8254 PIT: the counters' modes 0-5 as functions of virtual time (count and OUT after a given
// number of 1.193182 MHz clocks), BCD, access modes, latch and read-back, gates; the device at
// ports 0x40-0x43 with its IRQ0 events; port 0x61 (counter 2 gate and OUT, refresh toggle); the
// power-on state (no counter runs, no IRQ0 edge, before its control word).
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "devices/clock.h"
#include "devices/io_bus.h"
#include "devices/pit8254.h"
#include "devices/pit_counter.h"
#include "devices/system_control_port.h"

using namespace bt86;

namespace {

// Virtual time at which `ticks` input clocks have passed since t = 0.
uint64_t at(uint64_t ticks) {
  return (ticks * 1'000'000'000ull + PitCounter::kClockHz - 1) / PitCounter::kClockHz;
}
// A moment in the middle of clock `ticks` (a clock is ~838 ns), robust against rounding.
uint64_t mid(uint64_t ticks) { return at(ticks) + 400; }
bool near(uint64_t a, uint64_t b) { return a + 1 >= b && b + 1 >= a; }

// A counter in `mode` with LSB-then-MSB access, loaded with `count` at t = 0.
PitCounter counter(unsigned mode, uint16_t count, bool bcd = false, bool gate = true) {
  PitCounter c;
  c.reset(gate);
  c.set_control(mode, 3, bcd);
  c.write(uint8_t(count), 0);
  c.write(uint8_t(count >> 8), 0);
  return c;
}

// Records the level changes an IrqSink sees.
struct LineRecorder : IrqSink {
  std::vector<bool> levels;
  void set_irq(unsigned, bool level) override {
    if (levels.empty() || levels.back() != level) levels.push_back(level);
  }
  int rising_edges() const {
    int n = 0;
    for (size_t i = 1; i < levels.size(); ++i) n += levels[i] && !levels[i - 1];
    return n;
  }
};

}  // namespace

TEST_CASE("PIT mode 0: OUT low until terminal count, then high; the count wraps on") {
  PitCounter c = counter(0, 100);
  CHECK_FALSE(c.out(mid(0)));
  CHECK(c.count(mid(0)) == 100);
  CHECK(c.count(mid(40)) == 60);
  CHECK_FALSE(c.out(mid(99)));
  CHECK(c.out(mid(100)));
  CHECK(c.count(mid(100)) == 0);
  CHECK(c.count(mid(101)) == 0xFFFF);
  CHECK(c.out(mid(5000)));
  CHECK(c.next_out_change(at(0)) == at(100));
  CHECK(c.next_out_change(at(100)) == PitCounter::kNever);
  // Writing the first byte of a new count stops counting with OUT low; the second restarts.
  c.write(50, at(200));
  CHECK_FALSE(c.out(mid(300)));
  CHECK(c.next_out_change(at(300)) == PitCounter::kNever);
  c.write(0, at(300));
  CHECK(c.count(mid(310)) == 40);
  CHECK(near(c.next_out_change(at(300)), at(350)));
}

TEST_CASE("PIT mode 2: rate generator, OUT low for one clock per period") {
  PitCounter c = counter(2, 10);
  CHECK(c.out(mid(0)));
  CHECK(c.count(mid(0)) == 10);
  CHECK(c.count(mid(3)) == 7);
  CHECK(c.out(mid(8)));
  CHECK_FALSE(c.out(mid(9)));
  CHECK(c.count(mid(9)) == 1);
  CHECK(c.out(mid(10)));
  CHECK(c.count(mid(10)) == 10);
  CHECK_FALSE(c.out(mid(19)));
  CHECK(c.next_out_change(at(0)) == at(9));
  CHECK(c.next_out_change(at(9)) == at(10));
  CHECK(c.next_out_change(at(10)) == at(19));
  // Count 0 means 0x10000 clocks (an 18.2 Hz period) and reads as 0 at the reload.
  PitCounter slow = counter(2, 0);
  CHECK(slow.count(mid(0)) == 0);
  CHECK(slow.count(mid(1)) == 0xFFFF);
  CHECK(slow.next_out_change(at(0)) == at(0xFFFF));
}

TEST_CASE("PIT mode 2: a count written mid-period takes effect at the end of the period") {
  PitCounter c = counter(2, 10);
  c.write(4, at(13));
  c.write(0, at(13));
  CHECK(c.count(mid(15)) == 5);      // the old period runs on
  CHECK_FALSE(c.out(mid(19)));
  CHECK(c.count(mid(20)) == 4);      // reloaded with the new count at tick 20
  CHECK_FALSE(c.out(mid(23)));
  CHECK(c.out(mid(24)));
  CHECK(near(c.next_out_change(at(20)), at(23)));
}

TEST_CASE("PIT mode 3: square wave, half high, half low; odd counts high one clock longer") {
  PitCounter even = counter(3, 10);
  CHECK(even.out(mid(0)));
  CHECK(even.out(mid(4)));
  CHECK_FALSE(even.out(mid(5)));
  CHECK_FALSE(even.out(mid(9)));
  CHECK(even.out(mid(10)));
  CHECK(even.count(mid(0)) == 10);
  CHECK(even.count(mid(2)) == 6);    // counts down by two
  CHECK(even.count(mid(6)) == 8);    // and again in the low half
  CHECK(even.next_out_change(at(0)) == at(5));
  CHECK(even.next_out_change(at(5)) == at(10));
  PitCounter odd = counter(3, 11);
  CHECK(odd.out(mid(5)));
  CHECK_FALSE(odd.out(mid(6)));
  CHECK(odd.out(mid(11)));
}

TEST_CASE("PIT mode 4: software strobe, OUT low for the one clock at terminal count") {
  PitCounter c = counter(4, 20);
  CHECK(c.out(mid(19)));
  CHECK_FALSE(c.out(mid(20)));
  CHECK(c.out(mid(21)));
  CHECK(c.out(mid(100)));
  CHECK(c.next_out_change(at(0)) == at(20));
  CHECK(c.next_out_change(at(20)) == at(21));
  CHECK(c.next_out_change(at(21)) == PitCounter::kNever);
}

TEST_CASE("PIT modes 1 and 5: counting starts on a rising gate, which also retriggers") {
  PitCounter one = counter(1, 10, false, /*gate=*/false);
  CHECK(one.out(mid(50)));           // armed, waiting for the trigger
  one.set_gate(true, at(100));
  CHECK_FALSE(one.out(mid(100)));
  CHECK(one.count(mid(104)) == 6);
  CHECK(one.out(mid(110)));
  one.set_gate(false, at(120));     // the gate level does not matter in mode 1
  one.set_gate(true, at(125));      // retrigger
  CHECK_FALSE(one.out(mid(130)));
  CHECK(one.out(mid(135)));

  PitCounter five = counter(5, 10, false, false);
  five.set_gate(true, at(10));
  CHECK(five.out(mid(19)));
  CHECK_FALSE(five.out(mid(20)));
  CHECK(five.out(mid(21)));
}

TEST_CASE("PIT gate: low pauses modes 0 and 4; in modes 2 and 3 it forces OUT high and rising restarts") {
  PitCounter zero = counter(0, 100);
  zero.set_gate(false, at(30));
  CHECK(zero.count(mid(80)) == 70);
  CHECK(zero.next_out_change(at(80)) == PitCounter::kNever);
  zero.set_gate(true, at(200));
  CHECK(zero.count(mid(210)) == 60);
  CHECK_FALSE(zero.out(mid(269)));
  CHECK(zero.out(mid(270)));

  PitCounter two = counter(2, 10);
  two.set_gate(false, at(5));
  CHECK(two.out(mid(9)));
  two.set_gate(true, at(40));
  CHECK(two.count(mid(40)) == 10);
  CHECK_FALSE(two.out(mid(49)));
}

TEST_CASE("PIT: BCD counting") {
  PitCounter c = counter(0, 0x0100, /*bcd=*/true);
  CHECK(c.count(mid(0)) == 0x0100);
  CHECK(c.count(mid(1)) == 0x0099);
  CHECK(c.count(mid(42)) == 0x0058);
  CHECK(c.out(mid(100)));
  CHECK(c.count(mid(101)) == 0x9999);  // wraps to 9999, not FFFF
  PitCounter full = counter(2, 0, true);  // 0 means 10000 in BCD
  CHECK(full.count(mid(1)) == 0x9999);
  CHECK_FALSE(full.out(mid(9999)));
}

TEST_CASE("PIT: LSB-only and MSB-only access") {
  PitCounter lsb;
  lsb.reset(true);
  lsb.set_control(2, 1, false);
  lsb.write(0x34, 0);
  CHECK(lsb.count(0) == 0x34);
  CHECK(lsb.read(0) == 0x34);
  CHECK(lsb.read(0) == 0x34);
  PitCounter msb;
  msb.reset(true);
  msb.set_control(2, 2, false);
  msb.write(0x12, 0);
  CHECK(msb.count(mid(0x100)) == 0x1100);
  CHECK(msb.read(mid(0x100)) == 0x11);
}

TEST_CASE("PIT: the counter latch holds one value until read; a second latch is ignored") {
  PitCounter c = counter(0, 0x1234);
  CHECK(c.read(mid(0x34)) == 0x00);  // unlatched: LSB then MSB of the live count
  CHECK(c.read(mid(0x34)) == 0x12);
  c.latch_count(at(0x30));
  c.latch_count(at(0x1000));        // ignored
  CHECK(c.read(mid(0x200)) == 0x04);
  CHECK(c.read(mid(0x300)) == 0x12);
  CHECK(c.read(mid(0x234)) == 0x00);  // live again
}

TEST_CASE("PIT: status latch — OUT, null count, access, mode, BCD; read before a latched count") {
  PitCounter c;
  c.reset(true);
  c.set_control(2, 3, false);
  c.latch_status(0);
  CHECK(c.read(0) == 0xF4);         // OUT high, null count, access 3, mode 2
  c.write(10, 0);
  c.write(0, 0);
  c.latch_count(at(9));
  c.latch_status(at(9));
  CHECK(c.read(mid(20)) == 0x34);    // OUT low at tick 9, count loaded
  CHECK(c.read(mid(20)) == 1);
  CHECK(c.read(mid(20)) == 0);
  PitCounter zero = counter(0, 5, true);
  zero.latch_status(at(1));
  CHECK(zero.read(mid(1)) == 0x31);
}

namespace {

// The PIT on a clock the test moves by hand (an instruction-count clock at 1 ns per count), so
// every test is exact and takes no host time.
struct PitFixture {
  uint64_t ns = 0;
  VirtualClock clock{VirtualClock::InstructionCount{[this] { return ns; }, 0}};
  IoBus io;
  Pit8254 pit{clock};
  SystemControlPort port61{pit};
  LineRecorder irq;
  // Time moves on by `d` without the timer events being run (the machine was busy: they are
  // late when run_due() comes).
  void advance(uint64_t d) { ns += d; }
  // Time moves on by `d` with each timer event run at its deadline, as the machine loop does.
  void run_for(uint64_t d) {
    const uint64_t end = ns + d;
    while (clock.next_deadline() <= end) {
      ns = std::max(ns, clock.next_deadline());
      clock.run_due();
    }
    ns = end;
    clock.run_due();
  }
  PitFixture() {
    pit.irq0 = IrqLine(&irq, 0);
    pit.attach(io);
    port61.attach(io);
    pit.reset();
    port61.reset();
  }
};

}  // namespace

TEST_CASE("PIT ports: control word, count and read-back at 0x40-0x43") {
  PitFixture f;
  f.io.out(0x43, 0xB4, 1);  // counter 2, LSB/MSB, mode 2, binary
  f.io.out(0x42, 0x00, 1);
  f.io.out(0x42, 0x10, 1);
  f.io.out(0x43, 0xC8, 1);  // read-back: count and status of counter 2
  CHECK(f.io.in(0x42, 1) == 0xB4);  // gate 2 is low after reset: OUT held high, count stays
  CHECK(f.io.in(0x42, 1) == 0x00);
  CHECK(f.io.in(0x42, 1) == 0x10);
  f.io.out(0x43, 0x80, 1);  // counter latch, counter 2
  CHECK(f.io.in(0x42, 1) == 0x00);
  CHECK(f.io.in(0x42, 1) == 0x10);
  CHECK(f.io.in(0x43, 1) == 0xFF);  // the control register cannot be read
}

TEST_CASE("PIT ports: read-back of several counters latches each; latched values survive time") {
  PitFixture f;
  f.io.out(0x43, 0x30, 1);  // counter 0, LSB/MSB, mode 0
  f.io.out(0x40, 0x00, 1);
  f.io.out(0x40, 0x80, 1);
  f.io.out(0x43, 0xD6, 1);  // read-back: count only, counters 0 and 1
  f.advance(2'000'000);
  CHECK(f.io.in(0x40, 1) == 0x00);
  CHECK(f.io.in(0x40, 1) == 0x80);
  // Counter 1 was never programmed: it reads 0 (see "PIT power-on").
  CHECK(f.io.in(0x41, 1) == 0);
  CHECK(f.io.in(0x41, 1) == 0);
  // Unlatched, counter 0 has counted on (2 ms are 2386 whole clocks).
  const unsigned lsb = f.io.in(0x40, 1), msb = f.io.in(0x40, 1);
  CHECK((msb << 8 | lsb) == 0x8000 - 2386);
}

TEST_CASE("PIT: counter 0 drives IRQ0 through timer events at its OUT changes") {
  PitFixture f;
  f.io.out(0x43, 0x34, 1);  // counter 0, LSB/MSB, mode 2
  f.io.out(0x40, uint8_t(1193), 1);
  f.io.out(0x40, uint8_t(1193 >> 8), 1);  // 1 ms period
  const uint64_t now = f.clock.now_ns();
  CHECK(f.irq.levels.back());           // OUT high
  CHECK(near(f.clock.next_deadline(), now + at(1192)));  // the low pulse
  f.irq.levels.clear();
  // 50 periods of 1193 clocks (0.99985 ms) end within 50 ms: 50 rising edges, none owed.
  f.run_for(50'000'000);
  CHECK(f.irq.rising_edges() == 50);
  CHECK(f.pit.tick_backlog() == 49);  // nobody acknowledged them: all but the first are owed
  CHECK(near(f.clock.next_deadline(), now + at(50 * 1193 + 1192)));  // the 51st low pulse
  // Mode 0 raises IRQ0 once at terminal count and schedules nothing after it.
  f.io.out(0x43, 0x30, 1);
  f.io.out(0x40, 10, 1);
  f.io.out(0x40, 0, 1);
  CHECK_FALSE(f.irq.levels.back());
  f.run_for(at(10) - 1);              // 9 clocks after the count was written
  CHECK_FALSE(f.irq.levels.back());
  f.run_for(1);                       // 10: terminal count
  CHECK(f.irq.levels.back());
  CHECK(f.clock.next_deadline() == UINT64_MAX);
}

TEST_CASE("Port 0x61: bit 0 gates counter 2, bit 5 shows its OUT, bit 4 toggles on reads") {
  PitFixture f;
  f.io.out(0x43, 0xB0, 1);  // counter 2, LSB/MSB, mode 0
  f.io.out(0x42, 0x10, 1);
  f.io.out(0x42, 0x00, 1);
  const uint8_t first = uint8_t(f.io.in(0x61, 1));
  CHECK((first & 0x20) == 0);        // mode 0: OUT low, and the gate is low so it stays low
  CHECK(((first ^ f.io.in(0x61, 1)) & 0x10) == 0x10);
  f.io.out(0x61, 0x03, 1);          // gate on, speaker data on
  CHECK(f.pit.gate(2));
  CHECK(f.port61.speaker_data_enabled());
  CHECK((f.io.in(0x61, 1) & 0x0F) == 0x03);
  f.advance(at(0x10) - 1);          // 0x0F clocks: the count is 1
  CHECK((f.io.in(0x61, 1) & 0x20) == 0);
  f.advance(1);                      // 0x10 clocks: terminal count
  CHECK((f.io.in(0x61, 1) & 0x20) == 0x20);
  f.io.out(0x61, 0xFC, 1);          // read-only bits ignored, gate off
  CHECK_FALSE(f.pit.gate(2));
  CHECK((f.io.in(0x61, 1) & 0xCF) == 0x0C);
}

TEST_CASE("PIT: late IRQ0 events give one edge now and owe the missed ticks (re-injection)") {
  PitFixture f;
  f.io.out(0x43, 0x34, 1);  // counter 0, mode 2, 20 clocks (~17 us)
  f.io.out(0x40, 20, 1);
  f.io.out(0x40, 0, 1);
  f.irq.levels.clear();
  f.advance(5'000'000);     // ~300 periods pass before the events run
  f.clock.run_due();
  CHECK(f.irq.rising_edges() >= 1);
  CHECK(f.irq.levels.size() <= 6);  // not hundreds of changes
  CHECK(f.clock.next_deadline() > f.clock.now_ns());
  CHECK(f.clock.next_deadline() <= f.clock.now_ns() + at(20));
  // ~300 periods passed while the first tick was undelivered: the backlog is full.
  CHECK(f.pit.tick_backlog() == Pit8254::kMaxBacklog);
  // Each acknowledge of IRQ0 replays one owed tick as a fresh rising edge.
  const size_t edges = f.irq.rising_edges();
  f.pit.irq0_acknowledged();
  CHECK(f.irq.rising_edges() == edges + 1);
  CHECK(f.pit.tick_backlog() == Pit8254::kMaxBacklog - 1);
  // Programming counter 0's mode drops what is owed, including the tick in flight: if the clock
  // stopped in mode 2's one-clock low pulse, the new mode's OUT going high is a fresh edge and
  // still owes nothing; an acknowledge then replays nothing.
  f.io.out(0x43, 0x34, 1);
  CHECK(f.pit.tick_backlog() == 0);
  const size_t edges_after_mode = f.irq.rising_edges();
  CHECK(edges_after_mode <= edges + 2);
  f.pit.irq0_acknowledged();
  CHECK(f.irq.rising_edges() == edges_after_mode);
  CHECK(f.pit.tick_backlog() == 0);

  // Deterministically: a mode 0 tick left unacknowledged, then mode 0 programmed again; its
  // terminal count is a new tick, not a merged one.
  auto mode0_terminal_count = [&] {
    f.io.out(0x43, 0x30, 1);
    f.io.out(0x40, 10, 1);
    f.io.out(0x40, 0, 1);
    f.advance(1'000'000);
    f.clock.run_due();
  };
  mode0_terminal_count();
  const size_t before = f.irq.rising_edges();
  mode0_terminal_count();
  CHECK(f.irq.rising_edges() == before + 1);
  CHECK(f.pit.tick_backlog() == 0);
}

TEST_CASE("PIT ports: wide accesses split into byte accesses of consecutive ports") {
  PitFixture f;
  f.io.out(0x43, 0x3434, 2);  // 0x43, then 0x44 (not decoded): counter 0, LSB/MSB, mode 2
  f.io.out(0x40, 0x0000, 2);  // LSB 0 to counter 0, and a first byte to counter 1
  f.io.out(0x40, 0x10, 1);    // MSB: counter 0 counts 0x1000
  f.io.out(0x43, 0xC6, 1);    // read-back: count and status of counters 0 and 1
  // Counter 0: OUT high, loaded, LSB/MSB, mode 2; counter 1 (never programmed): OUT high, null
  // count (and LSB/MSB, mode 3 in the other fields).
  CHECK(f.io.in(0x40, 2) == 0xF6B4);
  CHECK(f.io.in(0x40, 1) == 0x00);
  CHECK(f.io.in(0x40, 1) == 0x10);
  CHECK((f.io.in(0x42, 2) >> 8) == 0xFF);  // 0x43 reads nothing
}

TEST_CASE("PIT power-on: a counter is still until its control word; OUT high, reads 0, count writes ignored") {
  PitCounter c;
  c.reset(true);
  CHECK(c.out(0));
  CHECK(c.out(mid(0x10000 / 2)));        // no square wave (QEMU's reset state) either
  CHECK(c.count(mid(1000)) == 0);
  CHECK(c.next_out_change(0) == PitCounter::kNever);
  c.latch_status(0);
  CHECK((c.read(0) & 0xC0) == 0xC0);     // OUT high, null count
  c.write(0x34, 0);                      // no control word: not a count
  c.write(0x12, 0);
  CHECK(c.count(mid(10)) == 0);
  CHECK(c.next_out_change(0) == PitCounter::kNever);
  c.set_gate(false, 0);                  // a gate edge does not start it either
  c.set_gate(true, at(5));
  CHECK(c.next_out_change(at(5)) == PitCounter::kNever);
  c.set_control(2, 3, false);            // programmed: counts as usual
  c.write(100, at(10));
  c.write(0, at(10));
  CHECK(c.out(at(10)));
  CHECK(near(c.next_out_change(at(10)), at(10) + at(99)));
}

TEST_CASE("PIT power-on: counter 0 gives IRQ0 no edge until it is programmed; then one per period") {
  PitFixture f;
  CHECK(f.clock.next_deadline() == UINT64_MAX);  // no IRQ0 event scheduled
  f.irq.levels.clear();
  f.run_for(60'000'000);                          // longer than a 0x10000-count period (55 ms)
  CHECK(f.irq.rising_edges() == 0);
  f.io.out(0x43, 0xC2, 1);                        // read-back: status of counter 0
  CHECK((f.io.in(0x40, 1) & 0xC0) == 0xC0);       // OUT high, null count
  f.io.out(0x40, 0x55, 1);                        // a count without a control word: ignored
  CHECK(f.clock.next_deadline() == UINT64_MAX);
  // Mode 2 (what firmware and Linux program): OUT stays high, the first edge ends a period.
  f.io.out(0x43, 0x34, 1);
  f.io.out(0x40, uint8_t(1193), 1);
  f.io.out(0x40, uint8_t(1193 >> 8), 1);
  CHECK(f.irq.rising_edges() == 0);
  CHECK(near(f.clock.next_deadline(), f.clock.now_ns() + at(1192)));
}
