// One counter of the 8254 PIT, derived from virtual time rather than ticked: a running counter
// remembers when it started counting, and its count and OUT level at any time t follow from the
// number of 1.193182 MHz input clocks since then. Covers modes 0-5, binary and BCD counting,
// the LSB / MSB / LSB-then-MSB access modes, the count and status latches, the gate input
// (level-sensitive in modes 0, 2, 3, 4; a rising edge triggers modes 1, 2, 3, 5) and the rule
// that a new count in modes 2 and 3 takes effect at the end of the current period.
// Simplification: a count is loaded when written (the real part loads on the next clock edge).
// Power-on: the datasheet leaves mode, count and OUT undefined until a control word is written;
// bt86's counter then holds OUT high and still (as Bochs's 8254 model does), reads a count of
// 0, and ignores count writes, so counter 0 makes no IRQ0 edge before it is programmed.
#pragma once
#include <cstdint>

namespace bt86 {

class PitCounter {
 public:
  static constexpr uint64_t kClockHz = 1'193'182;
  static constexpr uint64_t kNever = UINT64_MAX;

  // Power-on: no control word yet (see above); `gate` is the gate input's level.
  void reset(bool gate);
  // Control word for this counter (access 1 = LSB, 2 = MSB, 3 = LSB then MSB; access 0 is the
  // counter latch command, handled by latch_count()).
  void set_control(unsigned mode, unsigned access, bool bcd);
  void write(uint8_t byte, uint64_t now);
  uint8_t read(uint64_t now);
  void latch_count(uint64_t now);
  void latch_status(uint64_t now);
  void set_gate(bool level, uint64_t now);
  bool gate() const { return gate_; }
  bool out(uint64_t t);
  uint16_t count(uint64_t t);  // the counting element as a read shows it (BCD in BCD mode)
  // The first time after `t` at which OUT changes (kNever if it stays as it is).
  uint64_t next_out_change(uint64_t t);
  unsigned mode() const { return mode_; }

 private:
  enum class Phase : uint8_t {
    Unprogrammed,  // since power-on, no control word written: OUT high, nothing counts
    Idle,          // control word written, no count yet
    Armed,         // modes 1 and 5: count written, waiting for a gate trigger
    Counting,
  };
  uint32_t modulus() const { return bcd_ ? 10000 : 0x10000; }
  uint32_t period_of_register() const;  // the count register as a number of clocks
  bool gate_pauses() const { return mode_ != 1 && mode_ != 5; }
  bool periodic() const { return mode_ == 2 || mode_ == 3; }
  void start(uint64_t now);              // count register -> counting element
  void load_written_count(uint64_t now);
  void apply_pending_reload(uint64_t t); // modes 2/3: a count written mid-period takes over
  uint64_t ticks_at(uint64_t t) const;   // clocks counted by time t
  uint64_t time_of_tick(uint64_t tick) const;
  bool out_after(uint64_t ticks) const;
  uint32_t count_after(uint64_t ticks) const;
  uint8_t status(uint64_t now);

  unsigned mode_ = 3, access_ = 3;
  bool bcd_ = false;
  bool gate_ = true;
  Phase phase_ = Phase::Unprogrammed;
  uint16_t register_ = 0;   // the count register (raw, BCD-encoded in BCD mode)
  uint32_t period_ = 0;     // clocks per count cycle in the counting element
  uint64_t start_ns_ = 0;   // when the counting element was loaded
  bool frozen_ = false;     // gate low in a gate-paused mode: counting stopped
  uint64_t frozen_ticks_ = 0;
  bool reload_pending_ = false;
  uint64_t reload_at_ns_ = 0;
  bool null_count_ = true;  // a written count not yet in the counting element
  bool write_msb_next_ = false, read_msb_next_ = false;
  uint8_t written_lsb_ = 0;
  bool count_latched_ = false, status_latched_ = false;
  uint16_t latched_count_ = 0;
  uint8_t latched_status_ = 0;
};

}  // namespace bt86
