// PIIX4 power management (00:01.3): identity and the registers SeaBIOS programs, PM I/O block
// decoding at PMBA, PM1 status/enable write-1-to-clear with the SCI on IRQ 9, S5 through SLP_EN,
// GPE0, and the 3.579545 MHz PM timer derived from virtual time.
#include <doctest/doctest.h>

#include "devices/piix4_pm.h"

using namespace bt86;

namespace {

struct IrqRecorder : IrqSink {
  bool level[16] = {};
  void set_irq(unsigned irq, bool l) override { level[irq] = l; }
};

struct PmFixture {
  IoBus io;
  PhysMem mem{1 << 20};
  PciBus bus{io, mem};
  uint64_t ns = 123'456'789;  // virtual time, moved by the tests (instruction-count clock, 1 ns each)
  VirtualClock clock{VirtualClock::InstructionCount{[this] { return ns; }, 0}};
  Piix4Pm pm{clock};
  IrqRecorder irqs;
  int power_offs = 0;
  PmFixture() {
    bus.attach(PciBus::devfn(1, 3), &pm);
    pm.connect_sci(&irqs);
    pm.on_power_off = [this] { ++power_offs; };
    pm.reset();
  }
  void cfg_write(unsigned reg, uint32_t v, unsigned size) {
    io.out(0xCF8, 0x80000000u | PciBus::devfn(1, 3) << 8 | (reg & 0xFC), 4);
    io.out(uint16_t(0xCFC + (reg & 3)), v, size);
  }
  uint32_t cfg_read(unsigned reg, unsigned size) {
    io.out(0xCF8, 0x80000000u | PciBus::devfn(1, 3) << 8 | (reg & 0xFC), 4);
    return io.in(uint16_t(0xCFC + (reg & 3)), size);
  }
  void seabios_setup(uint16_t base = 0x600) {  // SeaBIOS's piix4_pm_setup
    cfg_write(0x3C, 9, 1);
    cfg_write(0x40, base | 1u, 4);
    cfg_write(0x80, 0x01, 1);
  }
  bool sci() const { return irqs.level[9]; }
};

uint64_t expected_ticks(uint64_t ns) { return uint64_t((unsigned __int128)ns * 3579545 / 1000000000); }

}  // namespace

TEST_CASE("PIIX4 PM: identity, PMBA and PMREGMISC, and SMM reported as already set up") {
  PmFixture f;
  CHECK(f.cfg_read(0x00, 4) == 0x71138086u);
  CHECK(f.cfg_read(0x08, 4) == 0x06800003u);  // class 06/80, revision 3 (no PM-timer erratum)
  CHECK(f.cfg_read(0x3D, 1) == 1);
  CHECK(f.cfg_read(0x40, 4) == 0x00000001u);   // I/O space indicator
  CHECK(f.cfg_read(0x58, 4) == 0x02000000u);   // DEVACTB APMC_EN: SeaBIOS skips its SMM setup
  f.cfg_write(0x58, 0, 4);
  CHECK(f.cfg_read(0x58, 4) == 0x02000000u);
  f.seabios_setup();
  CHECK(f.cfg_read(0x40, 4) == 0x00000601u);
  CHECK(f.cfg_read(0x80, 1) == 0x01);
  CHECK(f.cfg_read(0x3C, 1) == 9);
  f.cfg_write(0x40, 0xFFFFFFFFu, 4);           // only bits 15:6 are an address
  CHECK(f.cfg_read(0x40, 4) == 0x0000FFC1u);
}

TEST_CASE("PIIX4 PM: the PM block decodes only at PMBA with PMREGMISC bit 0 set") {
  PmFixture f;
  CHECK(f.pm.pm_base() == 0);
  CHECK(f.io.in(0x604, 2) == 0xFFFF);
  f.cfg_write(0x40, 0x601, 4);
  CHECK(f.io.in(0x604, 2) == 0xFFFF);          // PMIOSE still clear
  f.cfg_write(0x80, 0x01, 1);
  CHECK(f.pm.pm_base() == 0x600);
  CHECK(f.io.in(0x604, 2) == Piix4Pm::kSciEn);  // ACPI mode from the start: no SMM
  f.cfg_write(0x40, 0x701, 4);                  // moved: the old window no longer answers
  CHECK(f.pm.pm_base() == 0x700);
  CHECK(f.io.in(0x604, 2) == 0xFFFF);
  CHECK(f.io.in(0x704, 2) == Piix4Pm::kSciEn);
  f.cfg_write(0x80, 0x00, 1);
  CHECK(f.pm.pm_base() == 0);
  CHECK(f.io.in(0x704, 2) == 0xFFFF);
}

TEST_CASE("PIIX4 PM: a base over another device's ports is not decoded") {
  PmFixture f;
  f.seabios_setup(0xCC0);  // 0xCC0-0xCFF holds the PCI configuration ports
  CHECK(f.pm.pm_base() == 0);
  CHECK(f.cfg_read(0x00, 4) == 0x71138086u);  // the configuration ports still work
}

TEST_CASE("PIIX4 PM: enable_as_firmware_would() leaves what SeaBIOS leaves; reset undoes it") {
  PmFixture f;
  f.pm.enable_as_firmware_would();
  CHECK(f.pm.pm_base() == Piix4Pm::kFirmwarePmBase);
  CHECK(f.cfg_read(0x40, 4) == 0x601u);
  CHECK(f.cfg_read(0x3C, 1) == 9);
  f.pm.reset();
  CHECK(f.pm.pm_base() == 0);
  CHECK(f.cfg_read(0x40, 4) == 1u);
}

TEST_CASE("PIIX4 PM: SLP_EN with SLP_TYP 0 (S5) powers off; other sleep types are ignored") {
  PmFixture f;
  f.seabios_setup();
  f.io.out(0x604, 0x0401, 2);                   // SLP_TYP 1 without SLP_EN: stored only
  CHECK(f.io.in(0x604, 2) == 0x0401);
  f.io.out(0x604, 0x2401, 2);                   // sleep type 1: unimplemented, ignored
  CHECK(f.power_offs == 0);
  CHECK(f.io.in(0x604, 2) == 0x0401);           // SLP_EN reads 0
  f.io.out(0x604, 0x0001, 1);                   // byte writes: low byte, then the high byte
  f.io.out(0x605, 0x20, 1);                     // SLP_TYP 0 | SLP_EN
  CHECK(f.power_offs == 1);
  f.io.out(0x604, 0x2000, 2);                   // what SeaBIOS's APM off and Linux write
  CHECK(f.power_offs == 2);
}

TEST_CASE("PIIX4 PM: PM1 status is write-1-to-clear and raises the SCI with its enable bit") {
  PmFixture f;
  f.seabios_setup();
  f.pm.press_power_button();
  CHECK((f.io.in(0x600, 2) & Piix4Pm::kPwrBtnSts) != 0);
  CHECK_FALSE(f.sci());                         // PWRBTN_EN clear
  f.io.out(0x602, Piix4Pm::kPwrBtnSts, 2);
  CHECK(f.io.in(0x602, 2) == Piix4Pm::kPwrBtnSts);
  CHECK(f.sci());
  CHECK(f.pm.sci_asserted());
  f.io.out(0x600, 0x0000, 2);                   // writing 0 clears nothing
  CHECK(f.sci());
  f.io.out(0x600, 0xFFFF & ~Piix4Pm::kPwrBtnSts, 2);
  CHECK(f.sci());
  f.io.out(0x601, Piix4Pm::kPwrBtnSts >> 8, 1);  // clear through the high byte
  CHECK((f.io.in(0x600, 2) & Piix4Pm::kPwrBtnSts) == 0);
  CHECK_FALSE(f.sci());
  f.io.out(0x602, 0xFFFF, 2);                   // only the implemented enables stick
  CHECK(f.io.in(0x602, 2) == Piix4Pm::kPm1EnMask);
}

TEST_CASE("PIIX4 PM: GPE0 status and enable raise the SCI; status is write-1-to-clear") {
  PmFixture f;
  f.seabios_setup();
  f.pm.raise_gpe(3);
  CHECK(f.io.in(0x60C, 2) == 0x0008);
  CHECK_FALSE(f.sci());
  f.io.out(0x60E, 0x0008, 2);
  CHECK(f.io.in(0x60C, 4) == 0x00080008u);      // status and enable in one dword
  CHECK(f.sci());
  f.io.out(0x60C, 0x0008, 2);
  CHECK(f.io.in(0x60C, 2) == 0);
  CHECK_FALSE(f.sci());
}

TEST_CASE("PIIX4 PM: the PM timer counts 3.579545 MHz of virtual time in 24 bits") {
  PmFixture f;
  f.seabios_setup();
  const uint32_t expected = uint32_t(expected_ticks(f.clock.now_ns()) & 0xFFFFFF);
  CHECK(f.io.in(0x608, 4) == expected);
  CHECK(f.io.in(0x60A, 1) == (expected >> 16));  // a byte of the same count
  f.io.out(0x608, 0, 4);                        // read-only
  CHECK(f.io.in(0x608, 4) == expected);
  const uint32_t t0 = f.io.in(0x608, 4);
  f.ns += 20'000'000;
  const uint32_t t1 = f.io.in(0x608, 4);
  const uint32_t delta = (t1 - t0) & 0xFFFFFF;
  CHECK(delta >= 71590);                        // 20 ms: 71590.9 ticks
  CHECK(delta <= 71591);
  f.ns += 5'000'000'000ull;                     // 17.9 M ticks: the 24-bit count wraps
  CHECK(f.io.in(0x608, 4) == (expected_ticks(f.ns) & 0xFFFFFF));
}

TEST_CASE("PIIX4 PM: TMR_EN schedules the SCI for the next toggle of timer bit 23") {
  PmFixture f;
  f.seabios_setup();
  CHECK((f.io.in(0x600, 2) & Piix4Pm::kTmrSts) == 0);
  CHECK(f.clock.next_deadline() == UINT64_MAX);
  f.io.out(0x602, Piix4Pm::kTmrSts, 2);
  const uint64_t next_toggle = ((expected_ticks(f.clock.now_ns()) >> 23) + 1) << 23;
  const uint64_t deadline = uint64_t(((unsigned __int128)next_toggle * 1000000000 + 3579545 - 1) / 3579545);
  CHECK(f.clock.next_deadline() == deadline);
  CHECK((expected_ticks(deadline) >> 23) == (next_toggle >> 23));  // due exactly at the toggle
  CHECK((expected_ticks(deadline - 1) >> 23) == (next_toggle >> 23) - 1);
  CHECK_FALSE(f.sci());
  f.ns = deadline - 1;
  f.clock.run_due();
  CHECK((f.io.in(0x600, 2) & Piix4Pm::kTmrSts) == 0);
  f.ns = deadline;                              // the toggle: TMR_STS, and the SCI
  f.clock.run_due();
  CHECK((f.io.in(0x600, 2) & Piix4Pm::kTmrSts) != 0);
  CHECK(f.sci());
  f.io.out(0x600, Piix4Pm::kTmrSts, 2);         // write 1 to clear
  CHECK_FALSE(f.sci());
  f.io.out(0x602, 0, 2);                        // TMR_EN off: no event
  CHECK(f.clock.next_deadline() == UINT64_MAX);
}
