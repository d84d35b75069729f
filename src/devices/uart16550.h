// 16550A UART (the PC's COM ports: COM1 at 0x3F8 on IRQ4, COM2 at 0x2F8 on IRQ3).
//  * Registers: RBR/THR, IER, IIR/FCR, LCR (DLAB switches offsets 0/1 to the divisor latch),
//    MCR (loopback: transmitted bytes come back to the receiver; RTS/DTR/OUT1/OUT2 appear as
//    CTS/DSR/RI/DCD), LSR, MSR (with delta bits), SCR.
//  * FIFOs (FCR bit 0): a 16-byte receive FIFO with trigger levels 1/4/8/14; transmission is
//    instant, so THR and the transmitter are empty again right after each write.
//  * Interrupts, highest priority first: receiver line status (overrun), received data at the
//    trigger level, character timeout (data below the trigger level, nothing received or read
//    for 4 character times), THR empty (after a write, or when enabled while empty; cleared by
//    reading IIR when it is the one reported, or by writing THR), modem status. The IRQ line is
//    driven only while MCR.OUT2 is set and loopback is off, as a PC board gates it.
//  * Host input comes from the backend, polled every kPollNs of virtual time while the host is
//    quiet and at the wire's rate (one character time per byte taken) while it is typing, only as
//    fast as the receiver has room (the host side never overruns); a poll is also due when a
//    character timeout expires, and poll_now() takes input at once (the machine calls it when a
//    halted guest's host input arrives). No line errors (parity, framing,
//    break) occur on the emulated wire.
#pragma once
#include <cstdint>
#include <deque>
#include "devices/clock.h"
#include "devices/device.h"
#include "devices/io_bus.h"
#include "devices/serial_backend.h"

namespace bt86 {

class Uart16550 : public Device {
 public:
  static constexpr uint16_t kCom1Base = 0x3F8, kCom2Base = 0x2F8;
  static constexpr unsigned kCom1Irq = 4, kCom2Irq = 3;
  static constexpr uint64_t kPollNs = 5'000'000;
  static constexpr size_t kFifoSize = 16;
  static constexpr uint32_t kClockHz = 1'843'200;  // divisor 1 = 115200 baud

  // Register offsets.
  enum : uint8_t {
    kRbrThr = 0, kIer = 1, kIirFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7,
  };
  // Register bits.
  static constexpr uint8_t kIerRda = 0x01, kIerThre = 0x02, kIerRls = 0x04, kIerMs = 0x08;
  static constexpr uint8_t kIirNone = 0x01, kIirRls = 0x06, kIirRda = 0x04, kIirTimeout = 0x0C,
                           kIirThre = 0x02, kIirMs = 0x00, kIirFifos = 0xC0;
  static constexpr uint8_t kFcrEnable = 0x01, kFcrClearRx = 0x02, kFcrClearTx = 0x04,
                           kFcrTriggerMask = 0xC0;
  static constexpr uint8_t kLcrDlab = 0x80;
  static constexpr uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08,
                           kMcrLoop = 0x10;
  static constexpr uint8_t kLsrDr = 0x01, kLsrOe = 0x02, kLsrThre = 0x20, kLsrTemt = 0x40;
  static constexpr uint8_t kMsrDcts = 0x01, kMsrDdsr = 0x02, kMsrTeri = 0x04, kMsrDdcd = 0x08,
                           kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80;

  // `backend` may be null (output dropped, no input); it must outlive the UART.
  Uart16550(uint16_t base, VirtualClock& clock, SerialBackend* backend);
  ~Uart16550() override;
  Uart16550(const Uart16550&) = delete;
  Uart16550& operator=(const Uart16550&) = delete;

  void attach(IoBus& io) { io.register_ports(base_, 8, this); }
  void connect_irq(IrqSink* sink, unsigned irq) { irq_ = IrqLine(sink, irq); }

  const char* name() const override { return "uart16550"; }
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

  // A byte arriving on the wire (loopback and host input go through here).
  void receive(uint8_t byte);
  // Pulls host input into the receiver, flushes host output and updates the timeout interrupt.
  void poll();
  // poll() now instead of at the next scheduled poll (host input has arrived).
  void poll_now();
  size_t receiver_room() const;
  // The host file descriptor whose readability means input this port would take now, or -1
  // (no backend or none with a descriptor, loopback, receiver full).
  int input_fd() const;

 private:
  uint8_t pending_interrupt() const;  // the IIR interrupt id
  bool timeout_pending() const;
  uint64_t char_time_ns() const;
  unsigned trigger_level() const;
  uint8_t modem_inputs() const;       // MSR bits 4-7
  void set_modem_control(uint8_t mcr);
  void update_irq();
  void transmit(uint8_t byte);
  void schedule_poll(uint64_t delay_ns);
  uint64_t next_poll_delay(size_t taken) const;

  uint16_t base_;
  VirtualClock& clock_;
  SerialBackend* backend_;
  IrqLine irq_;
  VirtualClock::TimerId poll_timer_ = 0;
  std::deque<uint8_t> rx_;
  uint64_t rx_activity_ns_ = 0;  // last byte received or read (character timeout)
  uint16_t divisor_ = 12;
  uint8_t ier_ = 0, fcr_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0;
  uint8_t line_errors_ = 0;      // LSR error bits (OE) until LSR is read
  uint8_t msr_deltas_ = 0;       // MSR bits 0-3 until MSR is read
  bool thre_interrupt_ = false;
};

}  // namespace bt86
