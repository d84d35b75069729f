// 16550A UART: divisor latch (DLAB), transmit to the backend, receive FIFO and trigger levels,
// IIR priorities and FIFO bits, THRE interrupt semantics, LSR and MSR bits, loopback (data and
// modem lines), overrun, character timeout, host input polling, IRQ gating by OUT2; the serial
// backends (file output, spec errors) and the Ctrl-A console escapes.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>

#include "devices/io_bus.h"
#include "devices/uart16550.h"
#include "legacy_dev_util.h"

using namespace bt86;

namespace {

constexpr uint16_t kBase = Uart16550::kCom1Base;

struct Com {
  uint64_t ns = 0;  // virtual time, moved by the test (an instruction-count clock, 1 ns each)
  VirtualClock clock{VirtualClock::InstructionCount{[this] { return ns; }, 0}};
  BufferSerial wire;
  Uart16550 uart{kBase, clock, &wire};
  IoBus io;
  test::RecordingIrqSink irqs;
  Com() {
    uart.attach(io);
    uart.connect_irq(&irqs, Uart16550::kCom1Irq);
  }
  uint8_t in(uint8_t reg) { return uint8_t(io.in(uint16_t(kBase + reg), 1)); }
  void out(uint8_t reg, uint8_t v) { io.out(uint16_t(kBase + reg), v, 1); }
  uint8_t iir() { return in(Uart16550::kIirFcr) & 0x0F; }
  bool irq() const { return irqs.levels[Uart16550::kCom1Irq]; }
};

}  // namespace

TEST_CASE("UART: reset state, scratch register, DLAB divisor latch") {
  Com c;
  CHECK(c.in(Uart16550::kLsr) == 0x60);
  CHECK(c.in(Uart16550::kIirFcr) == 0x01);
  CHECK(c.in(Uart16550::kIer) == 0);
  c.out(Uart16550::kScr, 0x5A);
  CHECK(c.in(Uart16550::kScr) == 0x5A);
  c.out(Uart16550::kLcr, 0x83);  // DLAB, 8N1
  c.out(0, 0x01);
  c.out(1, 0x02);
  CHECK(c.in(0) == 0x01);
  CHECK(c.in(1) == 0x02);
  c.out(Uart16550::kLcr, 0x03);
  CHECK(c.in(Uart16550::kLcr) == 0x03);
  CHECK(c.in(Uart16550::kIer) == 0);  // the real IER was not touched
  c.out(0, 'h');
  c.out(0, 'i');
  CHECK(c.wire.output == "hi");
  CHECK(c.in(Uart16550::kLsr) == 0x60);  // THR and transmitter empty again
}

TEST_CASE("UART: receive without FIFO: DR, RBR, overrun overwrites") {
  Com c;
  c.uart.receive('a');
  CHECK((c.in(Uart16550::kLsr) & 0x01) == 1);
  c.uart.receive('b');
  CHECK(c.in(Uart16550::kLsr) == (0x60 | 0x02 | 0x01));  // OE, cleared by this read
  CHECK(c.in(Uart16550::kLsr) == (0x60 | 0x01));
  CHECK(c.in(0) == 'b');
  CHECK((c.in(Uart16550::kLsr) & 0x01) == 0);
}

TEST_CASE("UART: FIFO trigger levels for the received-data interrupt; IIR FIFO bits") {
  for (const auto& [fcr, level] : {std::pair{0x01, 1}, {0x41, 4}, {0x81, 8}, {0xC1, 14}}) {
    CAPTURE(level);
    Com c;
    c.out(Uart16550::kIirFcr, uint8_t(fcr));
    c.out(Uart16550::kIer, Uart16550::kIerRda);
    c.out(Uart16550::kMcr, Uart16550::kMcrOut2);
    CHECK((c.in(Uart16550::kIirFcr) & 0xC0) == 0xC0);
    for (int i = 0; i < level - 1; ++i) c.uart.receive(uint8_t('0' + i));
    CHECK(c.iir() == 0x01);
    CHECK_FALSE(c.irq());
    c.uart.receive('x');
    CHECK(c.iir() == 0x04);
    CHECK(c.irq());
    c.in(0);  // one below the level again
    CHECK_FALSE(c.irq());
  }
}

TEST_CASE("UART: the FIFO holds 16 bytes, then overruns keeping its contents; FCR clears it") {
  Com c;
  c.out(Uart16550::kIirFcr, 0x01);
  for (int i = 0; i < 17; ++i) c.uart.receive(uint8_t(i));
  CHECK(c.uart.receiver_room() == 0);
  CHECK((c.in(Uart16550::kLsr) & 0x03) == 0x03);
  for (int i = 0; i < 16; ++i) CHECK(c.in(0) == i);
  CHECK((c.in(Uart16550::kLsr) & 0x01) == 0);
  c.uart.receive(1);
  c.out(Uart16550::kIirFcr, 0x03);  // clear receive FIFO
  CHECK((c.in(Uart16550::kLsr) & 0x01) == 0);
}

TEST_CASE("UART: THRE interrupt on enable and after a write, cleared by reading IIR") {
  Com c;
  c.out(Uart16550::kMcr, Uart16550::kMcrOut2);
  c.out(Uart16550::kIer, Uart16550::kIerThre);
  CHECK(c.irq());
  CHECK(c.iir() == 0x02);
  CHECK_FALSE(c.irq());
  CHECK(c.iir() == 0x01);
  c.out(0, 'z');
  CHECK(c.irq());
  CHECK(c.iir() == 0x02);
  CHECK(c.iir() == 0x01);
  c.out(Uart16550::kIer, 0);
  c.out(0, 'z');
  CHECK_FALSE(c.irq());
}

TEST_CASE("UART: IIR reports the highest-priority interrupt first") {
  Com c;
  c.out(Uart16550::kIirFcr, 0x01);
  c.out(Uart16550::kMcr, Uart16550::kMcrOut2 | Uart16550::kMcrLoop);
  c.out(Uart16550::kIer, 0x0F);
  c.out(Uart16550::kMcr, Uart16550::kMcrLoop | Uart16550::kMcrRts);  // modem status change
  for (int i = 0; i < 17; ++i) c.out(0, uint8_t(i));  // loopback: fills and overruns the FIFO
  CHECK(c.iir() == 0x06);   // line status (overrun)
  c.in(Uart16550::kLsr);
  CHECK(c.iir() == 0x04);   // received data
  for (int i = 0; i < 16; ++i) c.in(0);
  CHECK(c.iir() == 0x02);   // THR empty (set by the writes)
  CHECK(c.iir() == 0x00);   // modem status
  c.in(Uart16550::kMsr);
  CHECK(c.iir() == 0x01);
}

TEST_CASE("UART: loopback returns data and maps RTS/DTR/OUT1/OUT2 to CTS/DSR/RI/DCD") {
  Com c;
  CHECK((c.in(Uart16550::kMsr) & 0xF0) == 0xB0);  // host side: CTS, DSR, DCD
  c.out(Uart16550::kMcr, Uart16550::kMcrLoop);
  CHECK((c.in(Uart16550::kMsr) & 0xF0) == 0x00);
  c.out(0, 0x42);
  CHECK(c.wire.output.empty());
  CHECK(c.in(0) == 0x42);
  c.out(Uart16550::kMcr, Uart16550::kMcrLoop | 0x0F);
  CHECK(c.in(Uart16550::kMsr) == (0xF0 | 0x0B));  // all lines, deltas DCTS DDSR DDCD
  c.out(Uart16550::kMcr, Uart16550::kMcrLoop | 0x0B);  // OUT1 (RI) off: trailing edge
  CHECK(c.in(Uart16550::kMsr) == (0xB0 | 0x04));
  CHECK(c.in(Uart16550::kMsr) == 0xB0);
}

TEST_CASE("UART: IRQ line gated by OUT2 and off in loopback") {
  Com c;
  c.out(Uart16550::kIer, Uart16550::kIerThre);
  CHECK_FALSE(c.irq());
  c.out(Uart16550::kMcr, Uart16550::kMcrOut2);
  CHECK(c.irq());
  c.out(Uart16550::kMcr, Uart16550::kMcrOut2 | Uart16550::kMcrLoop);
  CHECK_FALSE(c.irq());
}

TEST_CASE("UART: host input is polled only as fast as the receiver has room") {
  Com c;
  c.wire.input = "hello";
  c.uart.poll();
  CHECK(c.in(0) == 'h');  // no FIFO: one byte at a time
  CHECK((c.in(Uart16550::kLsr) & 0x02) == 0);
  c.out(Uart16550::kIirFcr, 0x01);
  c.uart.poll();
  std::string got;
  while (c.in(Uart16550::kLsr) & 0x01) got += char(c.in(0));
  CHECK(got == "ello");
}

TEST_CASE("UART: character timeout interrupt after 4 character times below the trigger") {
  Com c;
  c.out(Uart16550::kLcr, 0x83);
  c.out(0, 0x80);  // divisor 384: 300 baud, 8N1 = 33.3 ms per character
  c.out(1, 0x01);
  c.out(Uart16550::kLcr, 0x03);
  c.out(Uart16550::kIirFcr, 0xC1);  // trigger level 14
  c.out(Uart16550::kIer, Uart16550::kIerRda);
  c.out(Uart16550::kMcr, Uart16550::kMcrOut2);
  c.uart.receive('q');
  CHECK(c.iir() == 0x01);
  c.ns += 4 * 33'333'333 - 1'000;  // just under 4 character times: not yet
  c.uart.poll();
  CHECK(c.iir() == 0x01);
  c.ns += 1'000;
  CHECK(c.iir() == 0x0C);                    // 4 character times of silence
  c.uart.poll();
  CHECK(c.irq());
  CHECK(c.iir() == 0x0C);
  CHECK(c.in(0) == 'q');
  CHECK(c.iir() == 0x01);
  CHECK_FALSE(c.irq());
}

TEST_CASE("UART: input polls follow the wire's rate while the host types, kPollNs when quiet") {
  Com c;
  c.out(Uart16550::kLcr, 0x03);     // 8N1; the divisor after reset is 12: 9600 baud
  c.out(Uart16550::kIirFcr, 0xC1);  // FIFO, trigger level 14
  c.out(Uart16550::kIer, Uart16550::kIerRda);
  const uint64_t ct = 10 * 1'000'000'000ull * 16 * 12 / Uart16550::kClockHz;  // ~1.04 ms
  c.clock.run_due();
  CHECK(c.clock.next_deadline() == Uart16550::kPollNs);  // nothing typed: the slow poll
  c.wire.input = "abc";
  c.ns = c.clock.next_deadline();
  c.clock.run_due();
  CHECK(c.uart.receiver_room() == 13);
  // Three bytes taken, below the trigger: the next poll comes after three character times,
  // before the character timeout (4 character times after the last byte) is due.
  const uint64_t took_at = c.ns;
  CHECK(c.clock.next_deadline() == took_at + 3 * ct);
  c.ns = c.clock.next_deadline();
  c.clock.run_due();  // nothing more: now only the timeout is due, at its exact time
  CHECK(c.clock.next_deadline() == took_at + 4 * ct);
  c.ns = c.clock.next_deadline();
  c.clock.run_due();
  CHECK(c.iir() == 0x0C);
  CHECK(c.clock.next_deadline() == c.ns + Uart16550::kPollNs);  // quiet again
}

TEST_CASE("UART: input_fd only while the receiver would take input") {
  struct FdSerial : BufferSerial {
    int input_fd() const override { return 7; }
  } wire;
  uint64_t ns = 0;
  VirtualClock clock{VirtualClock::InstructionCount{[&ns] { return ns; }, 0}};
  Uart16550 uart{kBase, clock, &wire};
  CHECK(uart.input_fd() == 7);
  uart.receive('x');  // no FIFO: one byte fills the receiver
  CHECK(uart.input_fd() == -1);
  Com none;
  CHECK(none.uart.input_fd() == -1);  // a backend without a descriptor
}

TEST_CASE("Serial backends: none, file output, bad specs") {
  CHECK(make_serial_backend("none") == nullptr);
  CHECK_THROWS_AS(make_serial_backend("pty"), std::runtime_error);
  CHECK_THROWS_AS(make_serial_backend("file:/nonexistent-dir/x"), std::runtime_error);
  const std::string path = "/tmp/bt86_test_serial_" + std::to_string(::getpid());
  {
    std::unique_ptr<SerialBackend> file = make_serial_backend("file:" + path);
    REQUIRE(file);
    VirtualClock clock;
    Uart16550 uart(kBase, clock, file.get());
    for (char ch : std::string("COM1\n")) uart.io_write(kBase, uint8_t(ch), 1);
  }
  std::ifstream in(path, std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "COM1\n");
  std::remove(path.c_str());
}

TEST_CASE("Console escapes: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A, others pass through") {
  ConsoleEscapes esc;
  std::string guest;
  using R = ConsoleEscapes::Result;
  for (char ch : std::string("ab\x01\x01" "c\x01" "d")) CHECK(esc.feed(uint8_t(ch), guest) == R::Continue);
  CHECK(guest == "ab\x01" "c\x01" "d");
  CHECK(esc.feed(0x01, guest) == R::Continue);
  CHECK(esc.feed('h', guest) == R::Help);
  CHECK(esc.feed(0x01, guest) == R::Continue);
  CHECK(esc.feed('x', guest) == R::Quit);
  CHECK(guest == "ab\x01" "c\x01" "d");
  CHECK(esc.feed('x', guest) == R::Continue);  // a plain x afterwards
  CHECK(guest.back() == 'x');
}
