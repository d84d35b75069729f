// Exit device (port 0xF4): any write ends the run with the value's low byte.
#include <doctest/doctest.h>

#include "devices/exit_device.h"
#include "devices/io_bus.h"

using namespace bt86;

TEST_CASE("ExitDevice records the low byte of a write of any size") {
  IoBus io;
  ExitDevice dev;
  dev.attach(io);
  int notified = -1;
  dev.on_exit = [&](int code) { notified = code; };
  CHECK_FALSE(dev.requested());
  io.out(0xF4, 0x1234, 2);
  CHECK(dev.requested());
  CHECK(dev.exit_code() == 0x34);
  CHECK(notified == 0x34);
  io.out(0xF4, 0, 1);
  CHECK(dev.exit_code() == 0);
  io.out(0xF4, 0xFFFFFF01u, 4);
  CHECK(dev.exit_code() == 1);
  CHECK(io.in(0xF4, 1) == 0xFF);  // write-only port
}
