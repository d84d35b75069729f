// The 8254 programmable interval timer at ports 0x40-0x43, clocked at 1.193182 MHz: three
// counters (pit_counter.h) and the control register, which takes control words, counter latch
// commands and read-back commands. Counting follows virtual time, so a read shows the right
// count at any moment. Counter 0's OUT drives IRQ0: the timer does not tick per instruction but
// schedules a VirtualClock event at each change of OUT. On the PC the gates of counters 0 and 1
// are tied high; counter 2's gate and OUT belong to port 0x61 (system_control_port.h). After
// reset no counter runs until its control word is written (pit_counter.h): IRQ0 stays high and
// still, so code that enables interrupts before programming the PIT gets no timer interrupt.
//
// Lost-tick re-injection: guest time follows host time, so when bt86 runs late (the host
// descheduled it, or the guest had IRQ0 pending too long) several rising edges of OUT can fall
// between two interrupt acknowledges and would merge into one PIC request. An OS that counts
// timer interrupts (Linux's jiffies, its "pit" clocksource) would then fall behind the TSC and
// the RTC. So a rising edge while the previous tick is still undelivered goes into a backlog
// (at most kMaxBacklog ticks), and each acknowledge of IRQ0 (irq0_acknowledged(), from the PIC)
// replays one backlogged tick as a fresh edge — as KVM's PIT does with its "reinject" policy.
// Programming counter 0's mode drops the backlog.
#pragma once
#include <cstdint>
#include "devices/clock.h"
#include "devices/device.h"
#include "devices/io_bus.h"
#include "devices/pit_counter.h"

namespace bt86 {

class Pit8254 : public Device {
 public:
  static constexpr uint16_t kBasePort = 0x40;
  static constexpr unsigned kCounters = 3;

  explicit Pit8254(VirtualClock& clock) : clock_(clock) {}
  ~Pit8254() override;
  void attach(IoBus& io);
  const char* name() const override { return "pit8254"; }
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

  void set_gate(unsigned counter, bool level);
  bool gate(unsigned counter) const { return counters_[counter].gate(); }
  bool out(unsigned counter) { return counters_[counter].out(clock_.now_ns()); }

  // Counter 0's OUT; set it before reset() so the line starts at the right level.
  IrqLine irq0;
  // The PIC delivered IRQ0 to the CPU: replays one backlogged tick, if any.
  void irq0_acknowledged();
  unsigned tick_backlog() const { return backlog_; }
  static constexpr unsigned kMaxBacklog = 64;

 private:
  void write_control(uint8_t value, uint64_t now);
  void read_back(uint8_t command, uint64_t now);
  // Counter 0 changed under program control: drive IRQ0 to its OUT now and reschedule.
  void counter0_changed();
  void schedule_counter0(uint64_t when);
  void on_counter0_event(uint64_t when);
  bool note_out(bool level);    // tracks OUT's level and the tick backlog; true on a rising edge
  void drive_irq0(bool level);  // counter 0's OUT to IRQ0, with note_out()
  void rising_edge_then_out();  // a fresh edge on IRQ0 for the PIC, then the line at OUT's level


  VirtualClock& clock_;
  PitCounter counters_[kCounters];
  VirtualClock::TimerId timer_ = 0;  // 0: no event scheduled
  bool irq0_level_ = false;
  bool tick_in_flight_ = false;      // a rising edge not yet acknowledged by the PIC
  unsigned backlog_ = 0;             // ticks merged while one was in flight
};

}  // namespace bt86
