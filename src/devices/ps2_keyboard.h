// PS/2 (MF2) keyboard: answers the host commands (reset with self-test result, identify
// 0xAB 0x83, echo, LEDs, typematic rate, scan code set selection, enable/disable scanning) and
// sends key presses and releases as scan code set 2 bytes: a make code, "F0 code" for a release,
// each preceded by E0 for extended keys. Set 1 is produced by translating set 2 (the same table
// the 8042 uses); set 3 is not supported and answered with 0xFE.
#pragma once
#include "devices/ps2_device.h"

namespace bt86 {

class Ps2Keyboard : public Ps2Device {
 public:
  static constexpr uint8_t kIdFirst = 0xAB, kIdSecond = 0x83;

  void reset() override;
  // Injects a key event by its set-2 make code (`extended`: an E0-prefixed key). Ignored while
  // scanning is disabled, as a real keyboard does not report then.
  void key(uint8_t set2_code, bool extended, bool pressed);

  unsigned scancode_set() const { return scancode_set_; }
  bool scanning() const { return scanning_; }
  uint8_t leds() const { return leds_; }
  uint8_t typematic() const { return typematic_; }

 protected:
  void on_command(uint8_t cmd) override;
  void on_argument(uint8_t cmd, uint8_t arg) override;

 private:
  void set_defaults();
  unsigned scancode_set_ = 2;
  bool scanning_ = true;
  uint8_t leds_ = 0;
  uint8_t typematic_ = 0x2B;    // 10.9 characters/s after 500 ms
};

// Scan code set 2 -> set 1, as the 8042 translates when command byte bit 6 is set (a release
// "F0 xx" becomes xx' | 0x80, which the caller handles).
uint8_t ps2_translate_set2_to_set1(uint8_t code);

}  // namespace bt86
