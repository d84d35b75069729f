// The 8042 with its keyboard and mouse driven the way Linux's i8042/libps2/atkbd/psmouse drivers
// drive them, through a real (edge-triggered) 8259 pair: controller probe and AUX loopback,
// keyboard probe in translated mode (GETID, reset, LEDs, typematic, enable), key events, mouse
// probe with the IntelliMouse / Explorer sample-rate knocks and wheel packets. The host side
// reads one byte per interrupt, as i8042_interrupt does, so every byte of a multi-byte answer
// must come with its own IRQ edge.
#include <doctest/doctest.h>

#include <vector>

#include "devices/i8042.h"
#include "devices/io_bus.h"
#include "devices/pic8259.h"

using namespace bt86;

namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint8_t kMasterVector = 0x30, kSlaveVector = 0x38;  // Linux's ISA vectors
constexpr uint8_t kStatusOutputFull = 0x01, kStatusInputFull = 0x02, kStatusAuxData = 0x20;
// Command byte Linux uses once both ports are open: translate, system flag, both interrupts.
constexpr uint8_t kLinuxCommandByte = 0x47;

// A host that talks to the 8042 like Linux: controller commands by polling with interrupts
// held off, device bytes through interrupt handlers that read one byte per IRQ.
struct LinuxHost {
  PhysMem mem{2 << 20};
  IoBus io;
  Pic8259 pic;
  I8042 kbc{mem};
  Bytes kbd_bytes, aux_bytes;  // what serio0 / serio1 received through their interrupts
  int kbd_irqs = 0, aux_irqs = 0, empty_irqs = 0, wrong_port = 0;

  LinuxHost() {
    pic.attach(io);
    kbc.attach(io);
    kbc.connect_irqs(&pic);
    init_pic(0x20, kMasterVector, 0x04);
    init_pic(0xA0, kSlaveVector, 0x02);
    io.out(0x21, 0xF9, 1);  // IRQ1 and the cascade unmasked
    io.out(0xA1, 0xEF, 1);  // IRQ12 unmasked
  }
  void init_pic(uint16_t port, uint8_t base, uint8_t icw3) {
    io.out(port, 0x11, 1);
    io.out(port + 1, base, 1);
    io.out(port + 1, icw3, 1);
    io.out(port + 1, 0x01, 1);
  }
  uint8_t status() { return uint8_t(io.in(0x64, 1)); }

  // --- polled controller access (i8042_command) ---
  void wait_write() { REQUIRE((status() & kStatusInputFull) == 0); }
  Bytes controller(uint8_t cmd, Bytes args = {}, size_t replies = 0) {
    wait_write();
    io.out(0x64, cmd, 1);
    for (uint8_t a : args) {
      wait_write();
      io.out(0x60, a, 1);
    }
    Bytes out;
    for (size_t i = 0; i < replies && (status() & kStatusOutputFull); ++i)
      out.push_back(uint8_t(io.in(0x60, 1)));
    return out;
  }
  void flush() {
    while (status() & kStatusOutputFull) io.in(0x60, 1);
  }

  // --- interrupts: the CPU takes every pending one, the handler reads one byte ---
  void take_interrupts() {
    for (int guard = 0; pic.intr_pending() && guard < 64; ++guard) {
      const uint8_t vector = pic.acknowledge();
      const unsigned irq = vector >= kSlaveVector ? 8 + (vector - kSlaveVector)
                                                  : unsigned(vector - kMasterVector);
      if (irq >= 8) io.out(0xA0, 0x60 | (irq & 7), 1);  // specific EOIs, as Linux sends them
      io.out(0x20, irq >= 8 ? 0x62 : 0x60 | irq, 1);
      i8042_interrupt(irq);
    }
  }
  void i8042_interrupt(unsigned irq) {
    const uint8_t str = status();
    if (!(str & kStatusOutputFull)) {
      ++empty_irqs;
      return;
    }
    const uint8_t data = uint8_t(io.in(0x60, 1));
    const bool aux = str & kStatusAuxData;
    if ((aux && irq != I8042::kMouseIrq) || (!aux && irq != I8042::kKeyboardIrq)) ++wrong_port;
    (aux ? aux_bytes : kbd_bytes).push_back(data);
    ++(aux ? aux_irqs : kbd_irqs);
  }

  // --- ps2_command: each byte written, then the answer collected from interrupts ---
  Bytes kbd_command(Bytes bytes) {
    kbd_bytes.clear();
    for (uint8_t b : bytes) {
      wait_write();
      io.out(0x60, b, 1);
      take_interrupts();
    }
    return kbd_bytes;
  }
  Bytes aux_command(Bytes bytes) {
    aux_bytes.clear();
    for (uint8_t b : bytes) {
      controller(0xD4, {b});
      take_interrupts();
    }
    return aux_bytes;
  }
  Bytes set_rate(uint8_t rate) { return aux_command({0xF3, rate}); }
  void rates(uint8_t a, uint8_t b, uint8_t c) { set_rate(a); set_rate(b); set_rate(c); }

  // i8042_controller_check + i8042_controller_init + the AUX checks, then both ports opened.
  void probe_controller() {
    flush();
    REQUIRE(controller(0xAA, {}, 1) == Bytes{0x55});
    const Bytes ctr = controller(0x20, {}, 1);
    REQUIRE(ctr.size() == 1);
    CHECK((ctr[0] & I8042::kCmdTranslate) != 0);  // so Linux keeps translated mode
    controller(0x60, {uint8_t((ctr[0] | 0x30) & ~0x03)});  // ports off, interrupts off
    flush();
    take_interrupts();  // whatever the polled replies left latched
    // AUX loopback with its interrupt on: the byte must come back as mouse data on IRQ12.
    controller(0x60, {0x47 & ~0x01});
    aux_irqs = 0;
    aux_bytes.clear();
    controller(0xD3, {0xA5});
    take_interrupts();
    CHECK(aux_bytes == Bytes{0xA5});
    CHECK(aux_irqs == 1);
    controller(0x60, {kLinuxCommandByte});
    take_interrupts();
    empty_irqs = kbd_irqs = aux_irqs = 0;
  }
};

}  // namespace

TEST_CASE("i8042 as Linux drives it: atkbd probe in translated mode, one IRQ1 per byte") {
  LinuxHost h;
  h.probe_controller();
  CHECK(h.kbc.command_byte() == kLinuxCommandByte);
  CHECK(h.kbd_command({0xF2}) == Bytes{0xFA, 0xAB, 0x41});  // GETID, ID 83 translated to 41
  CHECK(h.kbd_irqs == 3);
  CHECK(h.kbd_command({0xF5}) == Bytes{0xFA});           // RESET_DIS
  CHECK(h.kbd_command({0xED, 0x00}) == Bytes{0xFA, 0xFA});  // SETLEDS 0
  CHECK(h.kbd_command({0xF3, 0x00}) == Bytes{0xFA, 0xFA});  // SETREP
  CHECK(h.kbd_command({0xFF}) == Bytes{0xFA, 0xAA});     // RESET_BAT
  CHECK(h.kbd_command({0xF0, 0x00}) == Bytes{0xFA, 0xFA, 0x41});  // set 2, translated
  CHECK(h.kbd_command({0xF4}) == Bytes{0xFA});           // ENABLE
  CHECK(h.kbd_command({0xED, 0x07}) == Bytes{0xFA, 0xFA});
  CHECK(h.kbc.keyboard().leds() == 7);
  CHECK(h.aux_irqs == 0);
  CHECK(h.empty_irqs == 0);
  CHECK(h.wrong_port == 0);

  SUBCASE("key presses reach the host as set 1 codes, each byte with its IRQ1") {
    h.kbd_bytes.clear();
    h.kbd_irqs = 0;
    Ps2Keyboard& kb = h.kbc.keyboard();
    kb.key(0x1C, false, true);   // A
    kb.key(0x1C, false, false);
    kb.key(0x5A, false, true);   // Enter
    kb.key(0x5A, false, false);
    kb.key(0x75, true, true);    // cursor up
    kb.key(0x75, true, false);
    h.take_interrupts();
    CHECK(h.kbd_bytes == Bytes{0x1E, 0x9E, 0x1C, 0x9C, 0xE0, 0x48, 0xE0, 0xC8});
    CHECK(h.kbd_irqs == 8);
    CHECK(h.empty_irqs == 0);
  }
}

TEST_CASE("i8042 as Linux drives it: psmouse probe, IntelliMouse and Explorer knocks, IRQ12") {
  LinuxHost h;
  h.probe_controller();
  Ps2Mouse& m = h.kbc.mouse();
  // atkbd tries the AUX port first and gives up on the mouse id.
  CHECK(h.aux_command({0xF2}) == Bytes{0xFA, 0x00});
  CHECK(h.aux_irqs == 2);
  CHECK(h.aux_command({0xF6}) == Bytes{0xFA});           // RESET_DIS
  CHECK(h.aux_command({0xFF}) == Bytes{0xFA, 0xAA, 0x00});  // RESET_BAT
  // A rate sequence that is not a knock leaves the id alone.
  CHECK(h.set_rate(200) == Bytes{0xFA, 0xFA});
  h.rates(80, 100, 100);
  CHECK(h.aux_command({0xF2}) == Bytes{0xFA, 0x00});
  // The Explorer knock does nothing before the IntelliMouse one.
  h.rates(200, 200, 80);
  CHECK(h.aux_command({0xF2}) == Bytes{0xFA, 0x00});
  // im_detect: 200, 100, 80 -> id 3.
  h.rates(200, 100, 80);
  CHECK(h.aux_command({0xF2}) == Bytes{0xFA, 0x03});
  // im_explorer_detect: 200, 200, 80 -> id 4.
  h.rates(200, 200, 80);
  CHECK(h.aux_command({0xF2}) == Bytes{0xFA, 0x04});
  CHECK(m.device_id() == Ps2Mouse::kExplorerId);
  // psmouse_initialize / activate.
  h.set_rate(100);
  CHECK(h.aux_command({0xE8, 0x03}) == Bytes{0xFA, 0xFA});
  CHECK(h.aux_command({0xE6}) == Bytes{0xFA});
  CHECK(h.aux_command({0xF4}) == Bytes{0xFA});
  CHECK(h.kbd_irqs == 0);
  CHECK(h.empty_irqs == 0);
  CHECK(h.wrong_port == 0);

  SUBCASE("Explorer packets: 4 bytes, wheel in the low nibble, buttons 4/5 in bits 4/5") {
    h.aux_bytes.clear();
    h.aux_irqs = 0;
    m.move(5, -3, Ps2Mouse::kLeft | Ps2Mouse::kButton4, 1);
    h.take_interrupts();
    CHECK(h.aux_bytes == Bytes{0x08 | 0x01 | 0x20, 5, 0xFD, 0x10 | 0x01});
    CHECK(h.aux_irqs == 4);
    h.aux_bytes.clear();
    m.move(0, 0, Ps2Mouse::kButton5, -20);  // the wheel clamps to -8, the rest follows
    m.move(0, 0, Ps2Mouse::kButton5, 0);
    h.take_interrupts();
    CHECK(h.aux_bytes == Bytes{0x08, 0, 0, 0x20 | 0x08, 0x08, 0, 0, 0x20 | 0x08});
    m.move(0, 0, Ps2Mouse::kButton5, 0);
    h.take_interrupts();
    CHECK(h.aux_bytes.back() == (0x20 | 0x0C));  // the last -4 of the wheel
  }
  SUBCASE("reset returns to the 3-byte standard mouse") {
    CHECK(h.aux_command({0xFF}) == Bytes{0xFA, 0xAA, 0x00});
    CHECK(h.aux_command({0xF2}) == Bytes{0xFA, 0x00});
    h.aux_command({0xF4});
    h.aux_bytes.clear();
    m.move(1, 1, Ps2Mouse::kMiddle | Ps2Mouse::kButton4, 3);  // no wheel, no button 4
    h.take_interrupts();
    CHECK(h.aux_bytes == Bytes{0x08 | 0x04, 1, 1});
  }
}

TEST_CASE("i8042 as Linux drives it: IntelliMouse (id 3) packets carry the wheel byte") {
  LinuxHost h;
  h.probe_controller();
  Ps2Mouse& m = h.kbc.mouse();
  h.rates(200, 100, 80);
  CHECK(h.aux_command({0xF2}) == Bytes{0xFA, 0x03});
  h.aux_command({0xF4});
  h.aux_bytes.clear();
  h.aux_irqs = 0;
  m.move(-2, 4, Ps2Mouse::kRight | Ps2Mouse::kButton4, -1);  // button 4 not reported as id 3
  h.take_interrupts();
  CHECK(h.aux_bytes == Bytes{0x08 | 0x02 | 0x10, 0xFE, 4, 0xFF});
  CHECK(h.aux_irqs == 4);
}
