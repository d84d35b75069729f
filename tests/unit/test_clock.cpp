// VirtualClock: timers fire in deadline order (ties in scheduling order) only once due, cancel
// works, and pausing freezes virtual time without a jump on resume (host time); instruction-count
// time (-icount): time is exactly bias + count << shift, idle warps move it on to a deadline and
// never back, and the instructions until a deadline are rounded up. Only the tests about host time
// sleep; the rest drive the clock by an instruction count.
#include <doctest/doctest.h>

#include <time.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "devices/clock.h"

using namespace bt86;

namespace {
void sleep_ms(long ms) {
  timespec ts{0, ms * 1'000'000};
  nanosleep(&ts, nullptr);
}

// A clock driven by a counter the test advances: with shift 0, one instruction is one ns.
struct CountedClock {
  uint64_t insns = 0;
  VirtualClock clock;
  explicit CountedClock(unsigned shift = 0)
      : clock(VirtualClock::InstructionCount{[this] { return insns; }, shift}) {}
};
}  // namespace

TEST_CASE("VirtualClock: time advances while running") {
  VirtualClock clock;
  const uint64_t t0 = clock.now_ns();
  sleep_ms(5);
  const uint64_t t1 = clock.now_ns();
  CHECK(t1 - t0 >= 5'000'000);
  CHECK(clock.tsc() >= t1);
}

TEST_CASE("VirtualClock: pause freezes time, resume continues without a jump") {
  VirtualClock clock;
  clock.pause();
  CHECK(clock.paused());
  const uint64_t frozen = clock.now_ns();
  sleep_ms(20);
  CHECK(clock.now_ns() == frozen);
  clock.resume();
  CHECK_FALSE(clock.paused());
  const uint64_t after = clock.now_ns();
  CHECK(after >= frozen);
  CHECK(after - frozen < 10'000'000);  // the 20 ms paused did not count
  clock.resume();                      // resuming a running clock changes nothing
  CHECK(clock.now_ns() - after < 10'000'000);
}

TEST_CASE("VirtualClock: timers fire in deadline order, ties in scheduling order, only once due") {
  CountedClock c;
  VirtualClock& clock = c.clock;
  std::vector<int> fired;
  const uint64_t now = clock.now_ns();
  clock.schedule_at(now + 3, [&] { fired.push_back(3); });
  clock.schedule_at(now + 1, [&] { fired.push_back(1); });
  clock.schedule_at(now + 2, [&] { fired.push_back(20); });
  clock.schedule_at(now + 2, [&] { fired.push_back(21); });
  clock.schedule_at(now + 60'000'000'000ull, [&] { fired.push_back(99); });  // a minute away
  CHECK(clock.next_deadline() == now + 1);
  clock.run_due();
  CHECK(fired.empty());
  c.insns += 2;
  clock.run_due();
  CHECK(fired == std::vector<int>{1, 20, 21});
  c.insns += 1'000'000;
  clock.run_due();
  CHECK(fired == std::vector<int>{1, 20, 21, 3});
  CHECK(clock.next_deadline() == now + 60'000'000'000ull);
}

TEST_CASE("VirtualClock: cancel, and callbacks that schedule more timers") {
  VirtualClock clock;
  std::vector<int> fired;
  CHECK(clock.next_deadline() == UINT64_MAX);
  const auto a = clock.schedule_at(0, [&] { fired.push_back(1); });
  clock.schedule_at(0, [&] {
    fired.push_back(2);
    clock.schedule_at(0, [&] { fired.push_back(3); });                // already due: fires now
    clock.schedule_at(clock.now_ns() + 60'000'000'000ull, [&] { fired.push_back(4); });
  });
  clock.cancel(a);
  clock.cancel(12345);  // unknown ids are ignored
  clock.run_due();
  CHECK(fired == std::vector<int>{2, 3});
  CHECK(clock.next_deadline() != UINT64_MAX);
}

TEST_CASE("VirtualClock: a paused clock fires nothing new") {
  VirtualClock clock;  // host time: the subject is that host time passing does not count
  bool fired = false;
  clock.pause();
  clock.schedule_at(clock.now_ns() + 1'000'000, [&] { fired = true; });
  sleep_ms(3);
  clock.run_due();
  CHECK_FALSE(fired);
  clock.resume();
  sleep_ms(3);
  clock.run_due();
  CHECK(fired);
}

TEST_CASE("VirtualClock, instruction count: time is count << shift, nothing else") {
  CountedClock c(3);  // 8 ns per instruction
  VirtualClock& clock = c.clock;
  CHECK(clock.counts_instructions());
  CHECK(clock.icount_shift() == 3);
  CHECK(clock.now_ns() == 0);
  sleep_ms(2);                   // host time does not count
  CHECK(clock.now_ns() == 0);
  c.insns = 1000;
  CHECK(clock.now_ns() == 8000);
  CHECK(clock.tsc() == 8000);    // 1 GHz nominal TSC: one tick per virtual ns
  clock.pause();                 // pausing changes nothing by itself: the count stands still
  CHECK(clock.paused());
  CHECK(clock.now_ns() == 8000);
  clock.resume();
  CHECK(clock.now_ns() == 8000);
  CHECK_FALSE(VirtualClock().counts_instructions());
  CHECK_THROWS_AS(VirtualClock(VirtualClock::InstructionCount{[] { return uint64_t(0); }, 11}),
                  std::invalid_argument);
  CHECK_THROWS_AS(VirtualClock(VirtualClock::InstructionCount{}), std::invalid_argument);
}

TEST_CASE("VirtualClock, instruction count: instructions until a deadline are rounded up") {
  CountedClock c(2);  // 4 ns per instruction
  VirtualClock& clock = c.clock;
  c.insns = 10;       // 40 ns
  CHECK(clock.insns_until(40) == 0);
  CHECK(clock.insns_until(39) == 0);
  CHECK(clock.insns_until(41) == 1);
  CHECK(clock.insns_until(44) == 1);
  CHECK(clock.insns_until(45) == 2);
  CHECK(clock.insns_until(UINT64_MAX) == (UINT64_MAX - 40) / 4 + 1);
  // Running exactly that many reaches the deadline, one fewer does not.
  bool fired = false;
  clock.schedule_at(1'000'001, [&] { fired = true; });
  const uint64_t n = clock.insns_until(clock.next_deadline());
  c.insns += n - 1;
  clock.run_due();
  CHECK_FALSE(fired);
  c.insns += 1;
  clock.run_due();
  CHECK(fired);
}

TEST_CASE("VirtualClock, instruction count: an idle warp moves time to a deadline, never back") {
  CountedClock c(0);
  VirtualClock& clock = c.clock;
  c.insns = 100;
  std::vector<uint64_t> fired_at;
  clock.schedule_at(5'000, [&] { fired_at.push_back(clock.now_ns()); });
  clock.warp_to(clock.next_deadline());
  CHECK(clock.now_ns() == 5'000);
  clock.run_due();
  CHECK(fired_at == std::vector<uint64_t>{5'000});
  clock.warp_to(10);             // the past: ignored
  CHECK(clock.now_ns() == 5'000);
  c.insns += 7;                  // instructions count on top of the skipped idle time
  CHECK(clock.now_ns() == 5'007);
  CHECK(clock.insns_until(6'000) == 993);
  VirtualClock host;
  const uint64_t before = host.now_ns();
  host.warp_to(before + 60'000'000'000ull);  // host time cannot be warped
  CHECK(host.now_ns() < before + 1'000'000'000ull);
}
