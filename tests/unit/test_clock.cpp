// VirtualClock: timers fire in deadline order (ties in scheduling order) only once due, cancel
// works, and pausing freezes virtual time without a jump on resume.
#include <doctest/doctest.h>

#include <time.h>

#include <cstdint>
#include <vector>

#include "devices/clock.h"

using namespace bt86;

namespace {
void sleep_ms(long ms) {
  timespec ts{0, ms * 1'000'000};
  nanosleep(&ts, nullptr);
}
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

TEST_CASE("VirtualClock: timers fire in deadline order, ties in scheduling order") {
  VirtualClock clock;
  std::vector<int> fired;
  const uint64_t now = clock.now_ns();
  clock.schedule_at(now + 3, [&] { fired.push_back(3); });
  clock.schedule_at(now + 1, [&] { fired.push_back(1); });
  clock.schedule_at(now + 2, [&] { fired.push_back(20); });
  clock.schedule_at(now + 2, [&] { fired.push_back(21); });
  clock.schedule_at(now + 60'000'000'000ull, [&] { fired.push_back(99); });  // a minute away
  CHECK(clock.next_deadline() == now + 1);
  sleep_ms(1);
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
  VirtualClock clock;
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
