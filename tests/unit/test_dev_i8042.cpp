// 8042 keyboard controller with its PS/2 keyboard and mouse: controller commands and status,
// A20 and reset through the output port, keyboard commands and scan codes (set 2, and set 1
// through the controller's translation), mouse commands and movement packets, IRQ1/IRQ12.
#include <doctest/doctest.h>

#include <vector>

#include "devices/i8042.h"
#include "devices/io_bus.h"
#include "legacy_dev_util.h"

using namespace bt86;

namespace {

struct Kbc {
  PhysMem mem{2 << 20};
  IoBus io;
  I8042 kbc{mem};
  test::RecordingIrqSink irqs;
  int resets = 0;
  Kbc() {
    kbc.attach(io);
    kbc.connect_irqs(&irqs);
    kbc.on_reset_request = [this] { ++resets; };
  }
  uint8_t status() { return uint8_t(io.in(0x64, 1)); }
  void command(uint8_t cmd) { io.out(0x64, cmd, 1); }
  void data(uint8_t byte) { io.out(0x60, byte, 1); }
  // Every byte the controller has for the host, reading while status says the buffer is full.
  std::vector<uint8_t> drain() {
    std::vector<uint8_t> out;
    while ((status() & I8042::kStatOutputFull) && out.size() < 64) out.push_back(uint8_t(io.in(0x60, 1)));
    return out;
  }
  void write_command_byte(uint8_t value) {
    command(0x60);
    data(value);
  }
};

using Bytes = std::vector<uint8_t>;

}  // namespace

TEST_CASE("i8042: self test, interface tests, status bits") {
  Kbc k;
  CHECK((k.status() & I8042::kStatOutputFull) == 0);
  CHECK((k.status() & I8042::kStatUnlocked) != 0);
  k.command(0xAA);
  CHECK((k.status() & I8042::kStatCommand) != 0);  // last write went to 0x64
  CHECK(k.drain() == Bytes{0x55});
  k.command(0xAB);
  CHECK(k.drain() == Bytes{0x00});
  k.command(0xA9);
  CHECK(k.drain() == Bytes{0x00});
  k.data(0xEE);  // echo through the keyboard
  CHECK((k.status() & I8042::kStatCommand) == 0);
  CHECK(k.drain() == Bytes{0xEE});
}

TEST_CASE("i8042: command byte read/write, SYS flag, port enable bits, controller RAM") {
  Kbc k;
  k.command(0x20);
  CHECK(k.drain() == Bytes{0x43});  // power-on: translation and both interrupts on
  k.write_command_byte(0x55);
  CHECK(k.kbc.command_byte() == 0x55);
  CHECK((k.status() & I8042::kStatSystem) != 0);
  k.command(0xAE);  // enable keyboard: clears bit 4
  k.command(0xA7);  // disable mouse: sets bit 5
  k.command(0x20);
  CHECK(k.drain() == Bytes{0x65});
  k.command(0xAD);
  k.command(0xA8);
  CHECK(k.kbc.command_byte() == 0x55);
  k.command(0x65);  // controller RAM byte 5
  k.data(0x5A);
  k.command(0x25);
  CHECK(k.drain() == Bytes{0x5A});
}

TEST_CASE("i8042: output port carries A20 and reset; 0xFE pulses reset") {
  Kbc k;
  k.mem.write(0x000200, 0xAA, 1);
  k.mem.write(0x100200, 0xBB, 1);
  k.command(0xD0);
  CHECK((k.drain()[0] & 0x03) == 0x03);
  k.command(0xD1);
  k.data(0x01);  // A20 off, not reset
  CHECK_FALSE(k.mem.a20());
  CHECK(k.mem.read(0x100200, 1) == 0xAA);
  k.command(0xD0);
  CHECK((k.drain()[0] & 0x03) == 0x01);
  k.command(0xD1);
  k.data(0x03);
  CHECK(k.mem.a20());
  CHECK(k.mem.read(0x100200, 1) == 0xBB);
  CHECK(k.resets == 0);
  k.command(0xDD);
  CHECK_FALSE(k.mem.a20());
  k.command(0xDF);
  CHECK(k.mem.a20());
  k.command(0xFF);  // pulses nothing
  CHECK(k.resets == 0);
  k.command(0xFE);
  CHECK(k.resets == 1);
  k.command(0xD1);
  k.data(0x02);  // reset bit low
  CHECK(k.resets == 2);
}

TEST_CASE("i8042: keyboard reset, identify, LEDs, typematic, scancode set, resend") {
  Kbc k;
  k.write_command_byte(0x03);  // untranslated: the keyboard's own bytes
  k.data(0xFF);
  CHECK(k.drain() == Bytes{0xFA, 0xAA});
  k.data(0xF2);
  CHECK(k.drain() == Bytes{0xFA, 0xAB, 0x83});
  k.data(0xED);
  k.data(0x05);
  CHECK(k.drain() == Bytes{0xFA, 0xFA});
  CHECK(k.kbc.keyboard().leds() == 5);
  k.data(0xF3);
  k.data(0x20);
  CHECK(k.drain() == Bytes{0xFA, 0xFA});
  CHECK(k.kbc.keyboard().typematic() == 0x20);
  k.data(0xF0);
  k.data(0x00);
  CHECK(k.drain() == Bytes{0xFA, 0xFA, 0x02});
  k.data(0xF0);
  k.data(0x03);
  CHECK(k.drain() == Bytes{0xFA, 0xFE});  // set 3 unsupported
  k.data(0xFE);
  CHECK(k.drain() == Bytes{0xFE});
  k.data(0x42);  // not a command
  CHECK(k.drain() == Bytes{0xFE});
}

TEST_CASE("i8042: key events in set 2, translated to set 1 by command byte bit 6") {
  Kbc k;
  k.write_command_byte(0x03);  // translation off
  Ps2Keyboard& kb = k.kbc.keyboard();
  kb.key(0x1C, false, true);   // A
  kb.key(0x1C, false, false);
  kb.key(0x75, true, true);    // cursor up (E0 75)
  kb.key(0x75, true, false);
  CHECK(k.drain() == Bytes{0x1C, 0xF0, 0x1C, 0xE0, 0x75, 0xE0, 0xF0, 0x75});
  k.write_command_byte(0x43);  // translation on
  kb.key(0x1C, false, true);
  kb.key(0x1C, false, false);
  kb.key(0x75, true, true);
  kb.key(0x75, true, false);
  kb.key(0x76, false, true);   // Esc
  CHECK(k.drain() == Bytes{0x1E, 0x9E, 0xE0, 0x48, 0xE0, 0xC8, 0x01});
  k.data(0xF2);  // the ID's second byte is translated too, as on real hardware
  CHECK(k.drain() == Bytes{0xFA, 0xAB, 0x41});
}

TEST_CASE("i8042: keyboard scanning disable/enable and the controller's port disable") {
  Kbc k;
  k.write_command_byte(0x03);  // translation off
  Ps2Keyboard& kb = k.kbc.keyboard();
  k.data(0xF5);
  CHECK(k.drain() == Bytes{0xFA});
  kb.key(0x1C, false, true);
  CHECK(k.drain().empty());
  k.data(0xF4);
  CHECK(k.drain() == Bytes{0xFA});
  k.command(0xAD);  // keyboard port disabled: the byte waits in the keyboard
  kb.key(0x1C, false, true);
  CHECK(k.drain().empty());
  k.command(0xAE);
  CHECK(k.drain() == Bytes{0x1C});
}

TEST_CASE("i8042: IRQ1 and IRQ12 follow the output buffer and the command byte enables") {
  Kbc k;
  k.kbc.keyboard().key(0x1C, false, true);
  CHECK(k.irqs.levels[1]);
  CHECK_FALSE(k.irqs.levels[12]);
  k.io.in(0x60, 1);
  CHECK_FALSE(k.irqs.levels[1]);
  k.write_command_byte(0x00);  // interrupts off
  k.kbc.keyboard().key(0x1C, false, false);
  CHECK_FALSE(k.irqs.levels[1]);
  k.drain();
  k.write_command_byte(0x03);
  k.command(0xD3);  // a byte as if from the mouse
  k.data(0x99);
  CHECK(k.irqs.levels[12]);
  CHECK((k.status() & I8042::kStatMouseData) != 0);
  CHECK(k.drain() == Bytes{0x99});
  k.command(0xD2);  // a byte as if from the keyboard
  k.data(0x77);
  CHECK(k.irqs.levels[1]);
  CHECK((k.status() & I8042::kStatMouseData) == 0);
  CHECK(k.drain() == Bytes{0x77});
}

TEST_CASE("i8042: the IRQ line drops on each read, so every byte of an answer is a new edge") {
  Kbc k;
  k.data(0xF2);  // FA AB 41, read by polling
  CHECK(k.irqs.rising_edges[1] == 1);
  CHECK(k.drain() == Bytes{0xFA, 0xAB, 0x41});
  CHECK(k.irqs.rising_edges[1] == 3);
  CHECK_FALSE(k.irqs.levels[1]);
  k.command(0xD4);
  k.data(0xFF);  // FA AA 00 from the mouse
  CHECK(k.drain() == Bytes{0xFA, 0xAA, 0x00});
  CHECK(k.irqs.rising_edges[12] == 3);
  CHECK(k.irqs.rising_edges[1] == 3);
}

TEST_CASE("i8042: mouse commands through 0xD4") {
  Kbc k;
  auto to_mouse = [&](uint8_t b) { k.command(0xD4); k.data(b); };
  to_mouse(0xFF);
  CHECK(k.drain() == Bytes{0xFA, 0xAA, 0x00});
  to_mouse(0xF2);
  CHECK(k.drain() == Bytes{0xFA, 0x00});
  to_mouse(0xF3);
  to_mouse(40);
  to_mouse(0xE8);
  to_mouse(3);
  to_mouse(0xE7);
  CHECK(k.drain() == Bytes{0xFA, 0xFA, 0xFA, 0xFA, 0xFA});
  to_mouse(0xE9);
  CHECK(k.drain() == Bytes{0xFA, 0x10, 3, 40});
  to_mouse(0xF6);  // defaults
  to_mouse(0xF4);
  to_mouse(0xE9);
  CHECK(k.drain() == Bytes{0xFA, 0xFA, 0xFA, 0x20, 2, 100});
  to_mouse(0xEE);  // wrap mode echoes
  to_mouse(0x12);
  to_mouse(0xEC);
  CHECK(k.drain() == Bytes{0xFA, 0x12, 0xFA});
}

TEST_CASE("i8042: mouse movement packets with signs, overflow and buttons, IRQ12") {
  Kbc k;
  Ps2Mouse& m = k.kbc.mouse();
  m.move(5, 5, 0);  // reporting is off after reset
  CHECK(k.drain().empty());
  k.command(0xD4);
  k.data(0xF4);
  CHECK(k.drain() == Bytes{0xFA});
  m.move(3, -2, Ps2Mouse::kLeft);
  CHECK(k.irqs.levels[12]);
  CHECK(k.drain() == Bytes{0x08 | 0x01 | 0x20, 3, 0xFE});
  m.move(-300, 10, Ps2Mouse::kLeft | Ps2Mouse::kRight);
  // x clamps to -256 (9-bit) with the overflow bit; the rest stays accumulated.
  CHECK(k.drain() == Bytes{0x08 | 0x03 | 0x10 | 0x40, 0x00, 10});
  m.move(0, 0, 0);
  CHECK(k.drain() == Bytes{0x08 | 0x10, uint8_t(-44), 0});
  k.command(0xA7);  // aux port disabled: packet waits
  m.move(1, 1, 0);
  CHECK(k.drain().empty());
  k.command(0xA8);
  CHECK(k.drain() == Bytes{0x08, 1, 1});
}
