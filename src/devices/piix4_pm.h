// Intel 82371AB PIIX4 power-management function (8086:7113, 00:01.3), as QEMU's "pc" machine has
// it: the ACPI fixed hardware the FADT points at.
//
// Configuration space: PMBA (0x40, dword: bits 15:6 = the I/O base of the 64-port PM block, bit 0
// reads 1) and PMREGMISC (0x80, bit 0 = PM I/O space enable). SeaBIOS writes PMBA = 0x600 | 1 and
// PMREGMISC = 1; enable_as_firmware_would() does the same for boots without firmware (-kernel).
// DEVACTB byte 0x5B reads 0x02 (APMC_EN set): there is no SMM, and this is how QEMU tells SeaBIOS
// that SMM is already set up so it does not try to raise an SMI. The SMBus host (0x90, 0xD2) is not
// emulated: those registers read 0.
//
// PM I/O block at PMBA (offsets; only while enabled):
//   0x00 PM1_STS   write-1-to-clear: TMR_STS (bit 0, set when PM-timer bit 23 toggles), GBL_STS
//                  (5), PWRBTN_STS (8), RTC_STS (10), WAK_STS (15)
//   0x02 PM1_EN    TMR_EN, GBL_EN, PWRBTN_EN, RTC_EN (same bit positions)
//   0x04 PM1_CNT   SCI_EN (bit 0) always reads 1: without SMM the machine is always in ACPI mode;
//                  SLP_TYP (bits 12:10) reads back; writing SLP_EN (bit 13, reads 0) enters the
//                  sleep state SLP_TYP: kSlpTypSoftOff (S5) calls on_power_off, others are logged
//                  once as unimplemented and ignored
//   0x08 PM_TMR    24-bit free-running counter at 3.579545 MHz, from VirtualClock::now_ns (exact)
//   0x0C GPE0_STS  16 general-purpose event status bits, write-1-to-clear (no source sets them yet
//                  but raise_gpe())
//   0x0E GPE0_EN   their enables
// Other offsets of the block read 0 and ignore writes (logged once). Accesses of any width are
// split into bytes over one snapshot of the registers, so a 32-bit timer read is consistent.
//
// SCI: ISA IRQ 9, level, asserted while (PM1_STS & PM1_EN) or (GPE0_STS & GPE0_EN) is non-zero.
// Its trigger mode (ELCR, port 0x4D1) belongs to the 8259 pair.
#pragma once
#include <cstdint>
#include <functional>
#include "devices/clock.h"
#include "devices/pci.h"

namespace bt86 {

class Piix4Pm : public PciDevice {
 public:
  static constexpr uint8_t kPmba = 0x40, kPmRegMisc = 0x80, kDevActB3 = 0x5B;
  static constexpr uint16_t kBlockSize = 64;
  static constexpr uint16_t kFirmwarePmBase = 0x600;  // where SeaBIOS puts it with QEMU's tables
  static constexpr unsigned kSciIrq = 9;
  // Register offsets in the PM I/O block and their lengths (the FADT describes these).
  static constexpr uint16_t kPm1Sts = 0x00, kPm1En = 0x02, kPm1Cnt = 0x04, kPmTmr = 0x08;
  static constexpr uint16_t kGpe0Sts = 0x0C, kGpe0En = 0x0E;
  static constexpr uint8_t kPm1EvtLen = 4, kPm1CntLen = 2, kPmTmrLen = 4, kGpe0Len = 4;
  // PM1 status/enable bits.
  static constexpr uint16_t kTmrSts = 1u << 0, kGblSts = 1u << 5, kPwrBtnSts = 1u << 8;
  static constexpr uint16_t kRtcSts = 1u << 10, kWakSts = 1u << 15;
  static constexpr uint16_t kPm1EnMask = kTmrSts | kGblSts | kPwrBtnSts | kRtcSts;
  // PM1 control bits.
  static constexpr uint16_t kSciEn = 1u << 0, kBmRld = 1u << 1, kSlpEn = 1u << 13;
  static constexpr unsigned kSlpTypShift = 10;
  static constexpr uint16_t kSlpTypMask = 7u << kSlpTypShift;
  static constexpr uint8_t kSlpTypSoftOff = 0;  // PIIX4: SLP_TYP 000 = soft off (S5); the DSDT's \_S5
  static constexpr uint64_t kTimerHz = 3'579'545;

  explicit Piix4Pm(VirtualClock& clock);
  const char* name() const override { return "piix4-pm"; }
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

  void connect_sci(IrqSink* irqs) { sci_ = IrqLine(irqs, kSciIrq); }
  // PMBA = kFirmwarePmBase, PM I/O enabled, interrupt line 9: what SeaBIOS programs (-kernel).
  void enable_as_firmware_would();
  // The decoded PM block base, or 0 when PM I/O is disabled (or its base collides with another
  // device's ports).
  uint16_t pm_base() const { return decoded_base_; }

  // Event sources: the power button (a frontend's "power off" request) and general-purpose
  // events (bit 0-15).
  void press_power_button();
  void raise_gpe(unsigned bit);
  bool sci_asserted() const { return sci_level_; }
  uint32_t timer_ticks() const;  // the 24-bit PM_TMR value now

  // The guest entered S5 (soft off): SLP_EN written with SLP_TYP = kSlpTypSoftOff.
  std::function<void()> on_power_off;

 protected:
  void config_written(uint8_t offset, unsigned size) override;

 private:
  uint64_t ticks_now() const;                 // PM-timer ticks since machine start (not wrapped)
  uint64_t timer_epoch() const { return ticks_now() >> 23; }  // counts PM_TMR bit-23 toggles
  uint16_t pm1_status() const;
  uint8_t read_byte(uint16_t offset, const uint8_t* snapshot) const;
  void write_byte(uint16_t offset, uint8_t value);
  void write_pm1_cnt_high(uint8_t value);
  void update_decoding();
  void update_sci();
  void schedule_timer_event();  // SCI on the next bit-23 toggle while TMR_EN is set
  void cancel_timer_event();

  VirtualClock& clock_;
  IrqLine sci_;
  bool sci_level_ = false;
  uint16_t decoded_base_ = 0;
  uint16_t claimed_base_ = 0;    // ports claimed on the IoBus (kept: the bus cannot unregister)
  bool claimed_ = false;
  uint16_t pm1_sts_ = 0;         // the latched bits other than TMR_STS
  uint16_t pm1_en_ = 0;
  uint16_t pm1_cnt_ = kSciEn;
  uint16_t gpe0_sts_ = 0, gpe0_en_ = 0;
  uint64_t tmr_sts_cleared_epoch_ = 0;  // TMR_STS is set while timer_epoch() differs from this
  VirtualClock::TimerId timer_event_ = 0;
  bool warned_sleep_type_[8] = {};
  bool warned_offset_[kBlockSize] = {};
  bool warned_collision_ = false;
};

}  // namespace bt86
