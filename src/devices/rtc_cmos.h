// MC146818 real-time clock with 128 bytes of battery-backed CMOS RAM, at ports 0x70 (index; bit 7
// masks NMI) and 0x71 (data). Registers 0x00-0x09 are the clock and alarm (BCD or binary by
// register B's DM bit, 12- or 24-hour by its 24/12 bit), 0x0A-0x0D the status registers:
//  A: UIP (set from 244 us before each once-a-second update until it is done), DV (divider:
//     010 runs the clock; 11x holds it in reset, and the first update comes 500 ms after it
//     restarts), RS (periodic interrupt rate: 256 Hz .. 8192 Hz, 32768 >> (RS - 1)).
//  B: SET (stops updates so software can set the time), PIE, AIE, UIE, SQWE, DM, 24/12, DSE.
//  C: IRQF, PF, AF, UF; read-only, cleared by reading it.
//  D: VRT (valid RAM and time) reads 1.
// The clock starts at the date it is made with (the Machine's -rtc base=, see legacy_devices.h)
// and then runs on the VirtualClock, never reading host time itself: flags are brought up to date whenever the guest touches the chip, and a
// timer wakes the device for the next event that can interrupt (IRQ8).
#pragma once
#include <cstdint>
#include <ctime>
#include <functional>
#include "devices/clock.h"
#include "devices/device.h"
#include "devices/io_bus.h"

namespace bt86 {

class RtcCmos : public Device {
 public:
  static constexpr uint16_t kIndexPort = 0x70, kDataPort = 0x71;
  static constexpr unsigned kIrq = 8;
  static constexpr unsigned kRamSize = 128;

  // Register indexes.
  static constexpr uint8_t kSeconds = 0x00, kSecondsAlarm = 0x01, kMinutes = 0x02,
                           kMinutesAlarm = 0x03, kHours = 0x04, kHoursAlarm = 0x05,
                           kDayOfWeek = 0x06, kDayOfMonth = 0x07, kMonth = 0x08, kYear = 0x09,
                           kRegA = 0x0A, kRegB = 0x0B, kRegC = 0x0C, kRegD = 0x0D;
  // Register bits.
  static constexpr uint8_t kAUip = 0x80, kADividerMask = 0x70, kADividerRun = 0x20,
                           kARateMask = 0x0F;
  static constexpr uint8_t kBSet = 0x80, kBPie = 0x40, kBAie = 0x20, kBUie = 0x10,
                           kBSqwe = 0x08, kBBinary = 0x04, kB24Hour = 0x02, kBDse = 0x01;
  static constexpr uint8_t kCIrqf = 0x80, kCPf = 0x40, kCAf = 0x20, kCUf = 0x10;
  static constexpr uint8_t kDVrt = 0x80;
  static constexpr uint64_t kUipLeadNs = 244'000;  // UIP rises this long before an update

  // Starts the clock at `start` (calendar fields as from gmtime_r/localtime_r: tm_year since
  // 1900, tm_mon 0-11, tm_wday 0-6 from Sunday).
  RtcCmos(VirtualClock& clock, const std::tm& start);
  ~RtcCmos() override;
  RtcCmos(const RtcCmos&) = delete;
  RtcCmos& operator=(const RtcCmos&) = delete;

  void attach(IoBus& io) { io.register_ports(kIndexPort, 2, this); }
  void connect_irq(IrqSink* sink) { irq_ = IrqLine(sink, kIrq); }

  const char* name() const override { return "rtc-cmos"; }
  // The RESET pin: clears PIE, AIE, UIE, SQWE and the register C flags; time and RAM persist.
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

  bool nmi_masked() const { return nmi_masked_; }
  // CMOS RAM as the guest sees it through the data port (registers included).
  uint8_t read_register(uint8_t index);
  void write_register(uint8_t index, uint8_t value);
  // Board-level initialisation of plain RAM bytes (0x0E-0x7F), e.g. what the BIOS reads.
  void set_ram(uint8_t index, uint8_t value) { ram_[index & 0x7F] = value; }
  uint8_t ram(uint8_t index) const { return ram_[index & 0x7F]; }

  // Tests: replace the virtual-time source (the default reads the VirtualClock).
  void set_time_source(std::function<uint64_t()> now_ns);

 private:
  struct Calendar {  // binary values; hours 0-23, day of week 1-7 from Sunday, year 0-99
    int sec, min, hour, dow, day, month, year;
  };
  void catch_up(uint64_t now);  // apply every update and periodic tick up to `now`
  void tick_one_second();
  bool alarm_matches() const;
  void set_flags(uint8_t flags);
  void schedule_wakeup(uint64_t now);
  void restart_divider(uint64_t now);
  bool divider_running() const { return (ram_[kRegA] & kADividerMask) == kADividerRun; }
  uint64_t periodic_cycles() const;  // 32.768 kHz cycles per periodic tick, 0 for none
  uint64_t periodic_index(uint64_t now) const;
  uint8_t encode(int value) const;   // binary -> register format (BCD or binary)
  int decode(uint8_t reg) const;
  uint8_t encode_hour(int hour) const;
  int decode_hour(uint8_t reg) const;
  uint8_t time_register(uint8_t index) const;
  void set_time_register(uint8_t index, uint8_t value);

  VirtualClock& clock_;
  std::function<uint64_t()> now_ns_;
  IrqLine irq_;
  uint8_t ram_[kRamSize] = {};
  uint8_t index_ = 0;
  bool nmi_masked_ = false;
  Calendar cal_{};
  uint64_t divider_epoch_ns_ = 0;   // when the divider chain last started
  uint64_t next_update_ns_ = 0;
  uint64_t last_periodic_index_ = 0;
  VirtualClock::TimerId timer_ = 0;
};

}  // namespace bt86
