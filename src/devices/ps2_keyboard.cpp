// PS/2 keyboard (see ps2_keyboard.h).
#include "devices/ps2_keyboard.h"

#include <array>

namespace bt86 {

namespace {

constexpr uint8_t kExtendedPrefix = 0xE0;
constexpr uint8_t kBreakPrefix = 0xF0;

// Host commands (IBM PS/2 keyboard technical reference).
enum : uint8_t {
  kSetLeds = 0xED, kEcho = 0xEE, kScancodeSet = 0xF0, kIdentify = 0xF2, kTypematic = 0xF3,
  kEnable = 0xF4, kDisableDefaults = 0xF5, kSetDefaults = 0xF6, kResendCmd = 0xFE, kReset = 0xFF,
};

// The 8042's set 2 -> set 1 translation for codes 0x00-0x7F; codes from 0x80 up translate to
// themselves except 0x83 (F7) and 0x84 (SysRq).
constexpr std::array<uint8_t, 128> kSet2ToSet1 = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

}  // namespace

uint8_t ps2_translate_set2_to_set1(uint8_t code) {
  if (code < kSet2ToSet1.size()) return kSet2ToSet1[code];
  if (code == 0x83) return 0x41;
  if (code == 0x84) return 0x54;
  return code;
}

void Ps2Keyboard::set_defaults() {
  scancode_set_ = 2;
  typematic_ = 0x2B;
  scanning_ = true;
}

void Ps2Keyboard::reset() {
  clear_state();
  set_defaults();
  leds_ = 0;
}

void Ps2Keyboard::key(uint8_t set2_code, bool extended, bool pressed) {
  if (!scanning_) return;
  if (room() < 3) return;  // a full buffer loses the event, as on a real keyboard
  if (scancode_set_ == 1) {
    const uint8_t code = uint8_t(ps2_translate_set2_to_set1(set2_code) | (pressed ? 0 : 0x80));
    if (extended) send({kExtendedPrefix, code});
    else send({code});
    return;
  }
  if (extended) send({kExtendedPrefix});
  if (pressed) send({set2_code});
  else send({kBreakPrefix, set2_code});
}

void Ps2Keyboard::on_command(uint8_t cmd) {
  switch (cmd) {
    case kSetLeds:
    case kTypematic:
    case kScancodeSet:
      send({kAck});
      expect_argument(cmd);
      break;
    case kEcho: send({kEcho}); break;
    case kIdentify: send({kAck, kIdFirst, kIdSecond}); break;
    case kEnable:
      clear_state();
      scanning_ = true;
      send({kAck});
      break;
    case kDisableDefaults:
      clear_state();
      set_defaults();
      scanning_ = false;
      send({kAck});
      break;
    case kSetDefaults:
      clear_state();
      set_defaults();
      send({kAck});
      break;
    case kResendCmd: resend(); break;
    case kReset:
      reset();
      send({kAck, kSelfTestPassed});
      break;
    default: send({kResend}); break;
  }
}

void Ps2Keyboard::on_argument(uint8_t cmd, uint8_t arg) {
  switch (cmd) {
    case kSetLeds: leds_ = arg & 7; send({kAck}); break;
    case kTypematic: typematic_ = arg & 0x7F; send({kAck}); break;
    case kScancodeSet:
      if (arg == 0) {
        send({kAck, uint8_t(scancode_set_)});
      } else if (arg == 1 || arg == 2) {
        scancode_set_ = arg;
        send({kAck});
      } else {
        send({kResend});  // set 3 is not supported
      }
      break;
  }
}

}  // namespace bt86
