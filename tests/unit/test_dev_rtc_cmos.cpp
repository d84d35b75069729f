// MC146818 RTC/CMOS: time in BCD/binary and 12/24 h, the calendar advancing with virtual time,
// UIP timing, SET, divider reset, register C flags and their clearing, periodic interrupt rates,
// alarm and update-ended interrupts on IRQ8, NMI mask, and the BIOS CMOS bytes for several RAM
// sizes. Virtual time is driven by the test through set_time_source().
#include <doctest/doctest.h>

#include <ctime>

#include "devices/io_bus.h"
#include "devices/pc_cmos.h"
#include "devices/rtc_cmos.h"
#include "legacy_dev_util.h"

using namespace bt86;

namespace {

constexpr uint64_t kMs = 1'000'000, kSec = 1'000'000'000;

std::tm make_tm(int year, int mon, int day, int hour, int min, int sec, int wday) {
  std::tm t{};
  t.tm_year = year - 1900;
  t.tm_mon = mon - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  t.tm_min = min;
  t.tm_sec = sec;
  t.tm_wday = wday;
  return t;
}

struct Rtc {
  VirtualClock clock;
  RtcCmos rtc;
  IoBus io;
  test::RecordingIrqSink irqs;
  uint64_t now = 0;
  explicit Rtc(const std::tm& start) : rtc(clock, start) {
    rtc.set_time_source([this] { return now; });
    rtc.attach(io);
    rtc.connect_irq(&irqs);
  }
  uint8_t get(uint8_t index) {
    io.out(0x70, index, 1);
    return uint8_t(io.in(0x71, 1));
  }
  void set(uint8_t index, uint8_t value) {
    io.out(0x70, index, 1);
    io.out(0x71, value, 1);
  }
};

// Tuesday 2026-11-24 23:59:58.
std::tm late_evening() { return make_tm(2026, 11, 24, 23, 59, 58, 2); }

}  // namespace

TEST_CASE("RTC: starts from the given time, BCD 24 h by default, binary and 12 h on request") {
  Rtc r(late_evening());
  CHECK(r.get(RtcCmos::kRegA) == 0x26);
  CHECK(r.get(RtcCmos::kRegB) == 0x02);
  CHECK(r.get(RtcCmos::kRegD) == 0x80);
  CHECK(r.get(0x00) == 0x58);
  CHECK(r.get(0x02) == 0x59);
  CHECK(r.get(0x04) == 0x23);
  CHECK(r.get(0x06) == 3);  // Tuesday (Sunday = 1)
  CHECK(r.get(0x07) == 0x24);
  CHECK(r.get(0x08) == 0x11);
  CHECK(r.get(0x09) == 0x26);
  r.set(RtcCmos::kRegB, RtcCmos::kB24Hour | RtcCmos::kBBinary);
  CHECK(r.get(0x00) == 58);
  CHECK(r.get(0x04) == 23);
  CHECK(r.get(0x09) == 26);
  r.set(RtcCmos::kRegB, 0);  // BCD, 12-hour: 23 h is 11 PM
  CHECK(r.get(0x04) == (0x11 | 0x80));
  r.set(0x04, 0x12);         // 12 AM is midnight
  r.set(RtcCmos::kRegB, RtcCmos::kB24Hour);
  CHECK(r.get(0x04) == 0x00);
}

TEST_CASE("RTC: the calendar advances once a virtual second across day, month and year ends") {
  Rtc r(late_evening());
  r.now = 2 * kSec;
  CHECK(r.get(0x00) == 0x00);
  CHECK(r.get(0x02) == 0x00);
  CHECK(r.get(0x04) == 0x00);
  CHECK(r.get(0x06) == 4);
  CHECK(r.get(0x07) == 0x25);

  Rtc y(make_tm(2099, 12, 31, 23, 59, 59, 4));
  y.now = kSec;
  CHECK(y.get(0x07) == 0x01);
  CHECK(y.get(0x08) == 0x01);
  CHECK(y.get(0x09) == 0x00);

  Rtc leap(make_tm(2024, 2, 28, 23, 59, 59, 3));
  leap.now = kSec;
  CHECK(leap.get(0x07) == 0x29);
  CHECK(leap.get(0x08) == 0x02);
}

TEST_CASE("RTC: UIP is set from 244 us before each update until the update") {
  Rtc r(late_evening());
  r.now = kSec - 300'000;
  CHECK((r.get(RtcCmos::kRegA) & 0x80) == 0);
  CHECK(r.get(0x00) == 0x58);
  r.now = kSec - 200'000;
  CHECK((r.get(RtcCmos::kRegA) & 0x80) != 0);
  r.now = kSec;
  CHECK((r.get(RtcCmos::kRegA) & 0x80) == 0);
  CHECK(r.get(0x00) == 0x59);
  r.now = 2 * kSec - 100'000;
  CHECK((r.get(RtcCmos::kRegA) & 0x80) != 0);
}

TEST_CASE("RTC: SET stops updates and clears UIE; the divider restart delays the first update") {
  Rtc r(late_evening());
  r.set(RtcCmos::kRegB, RtcCmos::kB24Hour | RtcCmos::kBSet | RtcCmos::kBUie);
  CHECK(r.get(RtcCmos::kRegB) == (RtcCmos::kB24Hour | RtcCmos::kBSet));
  r.set(0x00, 0x30);
  r.set(0x02, 0x15);
  r.set(0x04, 0x10);
  r.now = 3 * kSec - 100'000;
  CHECK((r.get(RtcCmos::kRegA) & 0x80) == 0);
  r.now = 3 * kSec;
  CHECK(r.get(0x00) == 0x30);
  r.set(RtcCmos::kRegB, RtcCmos::kB24Hour);
  r.now = 4 * kSec;
  CHECK(r.get(0x00) == 0x31);
  CHECK(r.get(0x02) == 0x15);

  r.set(RtcCmos::kRegA, 0x70);  // divider in reset
  r.now = 10 * kSec;
  CHECK(r.get(0x00) == 0x31);
  r.set(RtcCmos::kRegA, 0x26);
  r.now = 10 * kSec + 499 * kMs;
  CHECK(r.get(0x00) == 0x31);
  r.now = 10 * kSec + 500 * kMs;
  CHECK(r.get(0x00) == 0x32);
}

TEST_CASE("RTC: register C holds UF until read; with UIE it raises IRQ8 until read") {
  Rtc r(late_evening());
  r.set(RtcCmos::kRegA, 0x20);  // no periodic flag
  r.set(RtcCmos::kSecondsAlarm, 0x30);  // no alarm at midnight (alarm bytes start at 00:00:00)
  r.get(RtcCmos::kRegC);
  r.now = kSec;
  CHECK(r.get(RtcCmos::kRegC) == RtcCmos::kCUf);
  CHECK(r.get(RtcCmos::kRegC) == 0);
  CHECK_FALSE(r.irqs.levels[8]);
  r.set(RtcCmos::kRegB, RtcCmos::kB24Hour | RtcCmos::kBUie);
  r.now = 2 * kSec;
  r.get(RtcCmos::kRegA);  // any access brings the chip up to date
  CHECK(r.irqs.levels[8]);
  CHECK(r.get(RtcCmos::kRegC) == (RtcCmos::kCIrqf | RtcCmos::kCUf));
  CHECK_FALSE(r.irqs.levels[8]);
  CHECK(r.irqs.rising_edges[8] == 1);
}

TEST_CASE("RTC: periodic flag and interrupt at the rate of register A's RS bits") {
  for (const auto& [rs, hz] : {std::pair{3u, 8192u}, {6u, 1024u}, {1u, 256u}, {2u, 128u}, {15u, 2u}}) {
    CAPTURE(rs);
    Rtc r(late_evening());
    r.set(RtcCmos::kRegA, uint8_t(0x20 | rs));
    r.set(RtcCmos::kRegB, RtcCmos::kB24Hour | RtcCmos::kBPie);
    unsigned flags = 0;
    for (uint64_t i = 1; i <= 2 * hz; ++i) {  // half-period steps up to exactly 1 s
      r.now = i * kSec / (2 * hz);
      if (r.get(RtcCmos::kRegC) & RtcCmos::kCPf) ++flags;
    }
    CHECK(flags == hz);
    CHECK(r.irqs.rising_edges[8] == int(hz));
  }
}

TEST_CASE("RTC: PF is set without PIE; enabling PIE with PF set raises IRQ8") {
  Rtc r(late_evening());
  r.now = 10 * kMs;
  r.get(RtcCmos::kRegA);
  CHECK_FALSE(r.irqs.levels[8]);
  r.set(RtcCmos::kRegB, RtcCmos::kB24Hour | RtcCmos::kBPie);
  CHECK(r.irqs.levels[8]);
  CHECK(r.get(RtcCmos::kRegC) == (RtcCmos::kCIrqf | RtcCmos::kCPf));
  r.set(RtcCmos::kRegA, 0x20);  // RS = 0: no periodic interrupt
  r.now = 20 * kMs;
  CHECK(r.get(RtcCmos::kRegC) == 0);
}

TEST_CASE("RTC: alarm interrupt on a match, with don't-care bytes") {
  Rtc r(late_evening());
  r.set(0x01, 0x00);
  r.set(0x03, 0x00);
  r.set(0x05, 0x00);
  r.set(RtcCmos::kRegA, 0x20);  // no periodic flag
  r.set(RtcCmos::kRegB, RtcCmos::kB24Hour | RtcCmos::kBAie);
  r.now = kSec;  // 23:59:59
  CHECK((r.get(RtcCmos::kRegC) & RtcCmos::kCAf) == 0);
  r.now = 2 * kSec;  // 00:00:00
  r.get(RtcCmos::kRegA);
  CHECK(r.irqs.levels[8]);
  CHECK(r.get(RtcCmos::kRegC) == (RtcCmos::kCIrqf | RtcCmos::kCAf | RtcCmos::kCUf));
  r.set(0x01, 0xC0);
  r.set(0x03, 0xC0);
  r.set(0x05, 0xC0);
  r.now = 3 * kSec;
  CHECK((r.get(RtcCmos::kRegC) & RtcCmos::kCAf) != 0);
}

TEST_CASE("RTC: reset clears the interrupt enables and flags but keeps time and RAM") {
  Rtc r(late_evening());
  r.set(0x40, 0xA5);
  r.set(RtcCmos::kRegB, RtcCmos::kB24Hour | RtcCmos::kBUie | RtcCmos::kBPie);
  r.now = kSec;
  r.get(RtcCmos::kRegA);
  CHECK(r.irqs.levels[8]);
  r.rtc.reset();
  CHECK_FALSE(r.irqs.levels[8]);
  CHECK(r.get(RtcCmos::kRegB) == RtcCmos::kB24Hour);
  CHECK(r.get(RtcCmos::kRegC) == 0);
  CHECK(r.get(0x40) == 0xA5);
  CHECK(r.get(0x00) == 0x59);
}

TEST_CASE("RTC: index port bit 7 masks NMI; CMOS RAM reads back; C and D are read-only") {
  Rtc r(late_evening());
  r.io.out(0x70, 0x80 | 0x30, 1);
  CHECK(r.rtc.nmi_masked());
  r.io.out(0x71, 0x5A, 1);
  r.io.out(0x70, 0x30, 1);
  CHECK_FALSE(r.rtc.nmi_masked());
  CHECK(r.io.in(0x71, 1) == 0x5A);
  r.set(0x7F, 0x11);
  CHECK(r.get(0x7F) == 0x11);
  r.set(RtcCmos::kRegD, 0);
  CHECK(r.get(RtcCmos::kRegD) == 0x80);
  r.set(RtcCmos::kRegC, 0xF0);
  CHECK(r.get(RtcCmos::kRegC) == 0);
}

namespace {
struct CmosMem {
  uint16_t ext, ext2, above16;
};
CmosMem cmos_memory(uint64_t mib, std::string boot = "cad") {
  VirtualClock clock;
  RtcCmos rtc(clock, late_evening());
  fill_pc_cmos(rtc, {mib << 20, boot, 20});
  CHECK(rtc.ram(0x15) == 0x80);
  CHECK(rtc.ram(0x16) == 0x02);
  CHECK(rtc.ram(0x14) == 0x06);
  CHECK(rtc.ram(0x10) == 0);
  CHECK(rtc.ram(0x12) == 0);
  CHECK(rtc.ram(0x32) == 0x20);
  CHECK(rtc.ram(0x37) == 0x20);
  const uint16_t sum = pc_cmos_checksum(rtc);
  CHECK(rtc.ram(0x2E) == (sum >> 8));
  CHECK(rtc.ram(0x2F) == (sum & 0xFF));
  return {uint16_t(rtc.ram(0x17) | rtc.ram(0x18) << 8), uint16_t(rtc.ram(0x30) | rtc.ram(0x31) << 8),
          uint16_t(rtc.ram(0x34) | rtc.ram(0x35) << 8)};
}
}  // namespace

TEST_CASE("CMOS: memory size bytes for several RAM sizes") {
  struct Case {
    uint64_t mib;
    uint16_t ext, above16;
  };
  for (const Case& c : {Case{1, 0, 0}, Case{2, 1024, 0}, Case{15, 14 * 1024, 0},
                        Case{16, 15 * 1024, 0}, Case{17, 16 * 1024, 16}, Case{32, 31 * 1024, 256},
                        Case{64, 63 * 1024, 768}, Case{65, 0xFFFF, 784}, Case{128, 0xFFFF, 1792},
                        Case{3584, 0xFFFF, 57088}}) {
    CAPTURE(c.mib);
    const CmosMem m = cmos_memory(c.mib);
    CHECK(m.ext == c.ext);
    CHECK(m.ext2 == c.ext);
    CHECK(m.above16 == c.above16);
  }
}

TEST_CASE("CMOS: SeaBIOS boot order bytes and the checksum over 0x10-0x2D") {
  VirtualClock clock;
  RtcCmos rtc(clock, late_evening());
  fill_pc_cmos(rtc, {32ull << 20, "cad", 20});
  CHECK(rtc.ram(0x3D) == 0x12);  // first device in the low nibble
  CHECK(rtc.ram(0x38) == 0x30);
  fill_pc_cmos(rtc, {32ull << 20, "dc", 20});
  CHECK(rtc.ram(0x3D) == 0x23);
  CHECK(rtc.ram(0x38) == 0x00);
  unsigned sum = 0;
  for (unsigned i = 0x10; i <= 0x2D; ++i) sum += rtc.ram(uint8_t(i));
  CHECK(((rtc.ram(0x2E) << 8) | rtc.ram(0x2F)) == (sum & 0xFFFF));
  CHECK(sum != 0);
}
