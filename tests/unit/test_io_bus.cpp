// IoBus: claimed ports reach their device with the access size, unclaimed ports float high,
// conflicting claims and bad sizes are refused.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/io_bus.h"

using namespace bt86;

namespace {

struct PortRecorder : Device {
  struct Access { bool write; uint16_t port; uint32_t value; unsigned size; };
  std::vector<Access> log;
  const char* name() const override { return "recorder"; }
  uint32_t io_read(uint16_t port, unsigned size) override {
    log.push_back({false, port, 0, size});
    return 0x40u + port;
  }
  void io_write(uint16_t port, uint32_t value, unsigned size) override {
    log.push_back({true, port, value, size});
  }
};

}  // namespace

TEST_CASE("IoBus dispatches claimed ports with their size") {
  IoBus io;
  PortRecorder dev;
  io.register_ports(0x60, 5, &dev);
  CHECK(io.device_at(0x60) == &dev);
  CHECK(io.device_at(0x64) == &dev);
  CHECK(io.device_at(0x65) == nullptr);
  CHECK(io.in(0x61, 1) == 0xA1);
  io.out(0x64, 0xBEEF, 2);
  io.out(0x62, 0x12345678, 4);
  REQUIRE(dev.log.size() == 3);
  CHECK_FALSE(dev.log[0].write);
  CHECK(dev.log[0].port == 0x61);
  CHECK(dev.log[0].size == 1);
  CHECK(dev.log[1].write);
  CHECK(dev.log[1].port == 0x64);
  CHECK(dev.log[1].value == 0xBEEF);
  CHECK(dev.log[1].size == 2);
  CHECK(dev.log[2].value == 0x12345678);
  CHECK(dev.log[2].size == 4);
}

TEST_CASE("IoBus: unclaimed ports read all ones and drop writes") {
  IoBus io;
  CHECK(io.in(0x1234, 1) == 0xFF);
  CHECK(io.in(0x1234, 2) == 0xFFFF);
  CHECK(io.in(0xFFFF, 4) == 0xFFFFFFFF);
  io.out(0x1234, 0, 1);  // no device: nothing happens, no crash
  CHECK(io.in(0x1234, 1) == 0xFF);
}

TEST_CASE("IoBus: unclaimed ports are reported once each, only when asked (-d unimp)") {
  IoBus io;
  char* text = nullptr;
  size_t len = 0;
  FILE* log = open_memstream(&text, &len);
  io.in(0x279, 1);  // before reporting is on: silent
  io.report_unclaimed(log);
  io.out(0x279, 0, 1);
  io.in(0x279, 1);  // the same port again: not repeated
  io.in(0xA79, 2);
  std::fclose(log);
  CHECK(std::string(text, len) ==
        "bt86: unclaimed I/O port 0x0279 (write)\nbt86: unclaimed I/O port 0x0a79 (read)\n");
  std::free(text);
}

TEST_CASE("IoBus refuses conflicting claims, bad ranges and bad sizes") {
  IoBus io;
  PortRecorder a, b;
  io.register_ports(0x3F8, 8, &a);
  io.register_ports(0x3F8, 8, &a);  // the same device again is harmless
  CHECK_THROWS_AS(io.register_ports(0x3FF, 2, &b), std::logic_error);
  CHECK(io.device_at(0x400) == nullptr);  // a refused claim takes no port
  CHECK_THROWS_AS(io.register_ports(0xFFFF, 2, &b), std::invalid_argument);
  CHECK_THROWS_AS(io.register_ports(0x10, 0, &b), std::invalid_argument);
  CHECK_THROWS_AS(io.register_ports(0x10, 1, nullptr), std::invalid_argument);
  CHECK_THROWS_AS(io.in(0x3F8, 3), std::invalid_argument);
  CHECK_THROWS_AS(io.out(0x3F8, 0, 8), std::invalid_argument);
  CHECK(a.log.empty());
}
