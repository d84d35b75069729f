// The Machine's legacy devices seen from a guest: a reset requested through the 8042 or port 0x92
// restarts the machine (RAM kept), or ends the run with exit code 0 under -no-reboot; the CMOS
// memory and boot order bytes follow -m and -boot; the RTC starts at -rtc base.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <initializer_list>
#include <iterator>
#include <vector>

#include "machine/machine.h"

using namespace bt86;

namespace {

// A 64 KiB ROM with real-mode `code` at F000:0000 and a far jump there from the reset vector.
std::vector<uint8_t> make_rom(std::initializer_list<uint8_t> code) {
  std::vector<uint8_t> rom(0x10000, 0xF4);
  std::copy(code.begin(), code.end(), rom.begin());
  const uint8_t reset_jump[] = {0xEA, 0x00, 0x00, 0x00, 0xF0};
  std::copy(std::begin(reset_jump), std::end(reset_jump), rom.begin() + 0xFFF0);
  return rom;
}

// Counts boots in RAM byte 0x500; on the second boot exits with that count, on the first writes
// `value` to `port` to ask for a reset.
std::vector<uint8_t> reset_counter_rom(uint8_t value, uint8_t port) {
  return make_rom({
      0x31, 0xC0,                    // xor ax, ax
      0x8E, 0xD8,                    // mov ds, ax
      0xFE, 0x06, 0x00, 0x05,        // inc byte [0x500]
      0x80, 0x3E, 0x00, 0x05, 0x02,  // cmp byte [0x500], 2
      0x73, 0x05,                    // jae done
      0xB0, value,                   // mov al, value
      0xE6, port,                    // out port, al
      0xF4,                          // hlt (not reached: the reset comes first)
      0xA0, 0x00, 0x05,              // done: mov al, [0x500]
      0xE6, 0xF4,                    // out 0xF4, al
  });
}

MachineOptions options_for(std::vector<uint8_t> rom) {
  MachineOptions o;
  o.ram_bytes = 4 << 20;
  o.bios_image = std::move(rom);
  o.debugcon = "none";
  o.vga = "none";
  o.timeout_s = 10;
  return o;
}

}  // namespace

TEST_CASE("Machine: a guest reset request (8042 0xFE, port 0x92 bit 0) restarts the machine") {
  for (const auto& [value, port] : {std::pair<uint8_t, uint8_t>{0xFE, 0x64}, {0x01, 0x92}}) {
    CAPTURE(int(port));
    Machine m(options_for(reset_counter_rom(value, port)));
    CHECK(m.run() == 2);  // booted twice, RAM kept across the reset
  }
}

TEST_CASE("Machine: with -no-reboot a guest reset request ends the run with exit code 0") {
  MachineOptions o = options_for(reset_counter_rom(0xFE, 0x64));
  o.no_reboot = true;
  Machine m(o);
  CHECK(m.run() == exit_code::kEndedOnRequest);
  CHECK(m.mem().read(0x500, 1) == 1);
}

TEST_CASE("Machine: CMOS memory and boot bytes follow the options; legacy ports are claimed") {
  MachineOptions o = options_for(make_rom({0xF4}));
  o.ram_bytes = 48ull << 20;
  o.boot_order = "dca";
  Machine m(o);
  auto cmos = [&](uint8_t index) {
    m.io().out(0x70, index, 1);
    return m.io().in(0x71, 1);
  };
  CHECK((cmos(0x30) | cmos(0x31) << 8) == 47 * 1024);
  CHECK((cmos(0x34) | cmos(0x35) << 8) == 32 * 16);
  CHECK(cmos(0x3D) == 0x23);  // d (CD-ROM = 3) first, then c (disk = 2)
  CHECK(cmos(0x38) == 0x10);  // a (floppy = 1) third
  CHECK(m.io().in(0x92, 1) == 0x02);
  CHECK(m.io().in(0x64, 1) == 0x10);
  CHECK(m.io().in(0x3FD, 1) == 0xFF);  // no -serial: no COM1
}

TEST_CASE("Machine: -rtc base sets the RTC's start date and the CMOS century") {
  auto cmos_of = [](Machine& m) {
    return [&m](uint8_t index) {
      m.io().out(0x70, index, 1);
      return m.io().in(0x71, 1);
    };
  };
  MachineOptions o = options_for(make_rom({0xF4}));
  o.rtc_base = RtcBase::Fixed;
  o.rtc_start_s = 946684799;  // 1999-12-31T23:59:59 UTC, a Friday
  const std::tm start = rtc_start_time(o);
  CHECK(start.tm_year == 99);
  CHECK(start.tm_wday == 5);
  {
    Machine m(o);
    auto cmos = cmos_of(m);  // BCD, 24-hour
    CHECK(cmos(0x00) == 0x59);
    CHECK(cmos(0x02) == 0x59);
    CHECK(cmos(0x04) == 0x23);
    CHECK(cmos(0x06) == 6);     // day of week 1-7 from Sunday
    CHECK(cmos(0x07) == 0x31);
    CHECK(cmos(0x08) == 0x12);
    CHECK(cmos(0x09) == 0x99);
    CHECK(cmos(0x32) == 0x19);  // century
  }
  o.rtc_start_s = 1150560081;   // 2006-06-17T16:01:21
  {
    Machine m(o);
    auto cmos = cmos_of(m);
    CHECK(cmos(0x09) == 0x06);
    CHECK(cmos(0x08) == 0x06);
    CHECK(cmos(0x07) == 0x17);
    CHECK(cmos(0x04) == 0x16);
    CHECK(cmos(0x32) == 0x20);
  }
  // base=utc: the host's UTC time now.
  o.rtc_base = RtcBase::Utc;
  const std::time_t now = std::time(nullptr);
  std::tm got = rtc_start_time(o);
  CHECK(std::llabs(int64_t(timegm(&got)) - int64_t(now)) <= 2);
}
