// System Control Port A (0x92): A20 gate read back and applied to PhysMem, fast reset request.
#include <doctest/doctest.h>

#include "devices/io_bus.h"
#include "devices/port92.h"

using namespace bt86;

TEST_CASE("Port92: bit 1 gates A20 and reads back; bit 0 reads as 0") {
  PhysMem mem(2 << 20);
  IoBus io;
  Port92 port(mem);
  port.attach(io);
  port.reset();
  CHECK(io.in(0x92, 1) == 0x02);
  mem.write(0x000100, 0x11, 1);
  mem.write(0x100100, 0x22, 1);
  io.out(0x92, 0x00, 1);
  CHECK_FALSE(mem.a20());
  CHECK(io.in(0x92, 1) == 0x00);
  CHECK(mem.read(0x100100, 1) == 0x11);  // wraps to 0x000100
  io.out(0x92, 0x02, 1);
  CHECK(mem.a20());
  CHECK(io.in(0x92, 1) == 0x02);
  CHECK(mem.read(0x100100, 1) == 0x22);
}

TEST_CASE("Port92: writing bit 0 requests a reset, and it does not read back") {
  PhysMem mem(1 << 20);
  Port92 port(mem);
  int resets = 0;
  port.on_reset_request = [&] { ++resets; };
  port.io_write(0x92, 0x02, 1);
  CHECK(resets == 0);
  port.io_write(0x92, 0x03, 1);
  CHECK(resets == 1);
  CHECK(port.io_read(0x92, 1) == 0x02);
  CHECK(mem.a20());
}
