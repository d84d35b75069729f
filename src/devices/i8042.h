// The 8042 keyboard controller at ports 0x60 (data) and 0x64 (status / command), with a PS/2
// keyboard on its first port and a PS/2 mouse on its auxiliary port.
//  * One output buffer byte (status bit 0, OBF; bit 5 says it came from the mouse), filled from
//    controller replies or, when empty, from the keyboard then the mouse (a disabled port's
//    device keeps its bytes). IRQ1 / IRQ12 follow "buffer full with keyboard / mouse data" while
//    command byte bit 0 / 1 enables them. Each line follows OBF, so it drops when the host reads
//    the byte and rises again for the next one: an edge-triggered 8259 sees every byte.
//  * Keyboard bytes are translated from scan code set 2 to set 1 while command byte bit 6 is set
//    (as it is from power-on).
//  * Commands: read/write controller RAM (0x20-0x3F / 0x60-0x7F; byte 0 is the command byte),
//    port enable/disable (0xA7/0xA8, 0xAD/0xAE), tests (0xA9, 0xAA -> 0x55, 0xAB), output port
//    read/write (0xD0/0xD1: bit 1 A20, bit 0 clear = reset), 0xD2/0xD3 (bytes appear as if from
//    the keyboard / mouse), 0xD4 (next byte to the mouse), 0xDD/0xDF (A20 off/on), and output
//    port pulses 0xF0-0xFF (0xFE pulses reset). A reset goes to `on_reset_request`.
#pragma once
#include <functional>
#include "devices/device.h"
#include "devices/io_bus.h"
#include "devices/ps2_keyboard.h"
#include "devices/ps2_mouse.h"
#include "mmu/phys_mem.h"

namespace bt86 {

class I8042 : public Device {
 public:
  static constexpr uint16_t kDataPort = 0x60, kStatusPort = 0x64;
  static constexpr unsigned kKeyboardIrq = 1, kMouseIrq = 12;

  // Status register bits.
  static constexpr uint8_t kStatOutputFull = 0x01, kStatInputFull = 0x02, kStatSystem = 0x04,
                           kStatCommand = 0x08, kStatUnlocked = 0x10, kStatMouseData = 0x20;
  // Command byte bits.
  static constexpr uint8_t kCmdKbdInt = 0x01, kCmdMouseInt = 0x02, kCmdSystem = 0x04,
                           kCmdKbdDisabled = 0x10, kCmdMouseDisabled = 0x20,
                           kCmdTranslate = 0x40;
  // Output port bits.
  static constexpr uint8_t kOutNotReset = 0x01, kOutA20 = 0x02, kOutKbdFull = 0x10,
                           kOutMouseFull = 0x20;

  explicit I8042(PhysMem& mem);
  void attach(IoBus& io);
  void connect_irqs(IrqSink* sink);

  const char* name() const override { return "i8042"; }
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

  Ps2Keyboard& keyboard() { return keyboard_; }
  Ps2Mouse& mouse() { return mouse_; }
  uint8_t command_byte() const { return ram_[0]; }

  // Called when the guest requests a CPU reset; the machine performs it between instructions.
  std::function<void()> on_reset_request;

 private:
  enum class Source { Controller, Keyboard, Mouse };
  void controller_command(uint8_t cmd);
  void controller_data(uint8_t cmd, uint8_t data);  // the byte following a command
  void put_output(uint8_t byte, Source from);
  void refill();        // move a device byte into an empty output buffer
  void update_irqs();
  uint8_t output_port() const;
  void write_output_port(uint8_t value);

  PhysMem& mem_;
  Ps2Keyboard keyboard_;
  Ps2Mouse mouse_;
  IrqLine kbd_irq_, mouse_irq_;
  uint8_t ram_[32] = {};        // controller RAM; ram_[0] is the command byte
  uint8_t output_ = 0;          // the output buffer (reads as its last value when empty)
  bool output_full_ = false;
  Source output_from_ = Source::Controller;
  bool last_write_command_ = false;  // status bit 3
  uint8_t pending_command_ = 0;      // a command waiting for its data byte, 0 for none
  bool translate_break_ = false;     // an F0 prefix seen while translating
};

}  // namespace bt86
