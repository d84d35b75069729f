// QEMU's ISA pvpanic device at 0x505: reads report the supported events; a write with bit 0
// reports a panic, bit 1 alone (crash kernel loaded) does not.
#include <doctest/doctest.h>

#include "devices/pvpanic.h"

using namespace bt86;

TEST_CASE("pvpanic: port 0x505 reports PANICKED | CRASH_LOADED; bit 0 writes report a panic") {
  IoBus io;
  Pvpanic dev;
  dev.attach(io);
  int panics = 0;
  dev.on_panic = [&] { ++panics; };
  CHECK(io.in(0x505, 1) == 0x03);
  io.out(0x505, Pvpanic::kCrashLoaded, 1);
  CHECK(panics == 0);
  io.out(0x505, 0x00, 1);
  CHECK(panics == 0);
  io.out(0x505, Pvpanic::kPanicked, 1);
  CHECK(panics == 1);
  io.out(0x505, Pvpanic::kPanicked | Pvpanic::kCrashLoaded, 1);
  CHECK(panics == 2);
  CHECK(io.in(0x506, 1) == 0xFF);  // one port only
}
