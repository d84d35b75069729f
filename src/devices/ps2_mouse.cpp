// PS/2 mouse (see ps2_mouse.h).
#include "devices/ps2_mouse.h"

#include <algorithm>

namespace bt86 {

namespace {

enum : uint8_t {
  kSetScaling1 = 0xE6, kSetScaling2 = 0xE7, kSetResolution = 0xE8, kStatusRequest = 0xE9,
  kStreamMode = 0xEA, kReadData = 0xEB, kResetWrap = 0xEC, kSetWrap = 0xEE, kRemoteMode = 0xF0,
  kGetId = 0xF2, kSetSampleRate = 0xF3, kEnable = 0xF4, kDisable = 0xF5, kSetDefaults = 0xF6,
  kResendCmd = 0xFE, kReset = 0xFF,
};

constexpr uint8_t kDeviceId = 0x00;
constexpr int kMinDelta = -256, kMaxDelta = 255;  // 9-bit two's complement
constexpr size_t kPacketSize = 3;

// Packet byte 0 bits.
constexpr uint8_t kAlwaysOne = 0x08, kXSign = 0x10, kYSign = 0x20, kXOverflow = 0x40,
                  kYOverflow = 0x80;

}  // namespace

void Ps2Mouse::set_defaults() {
  sample_rate_ = 100;
  resolution_ = 2;
  scaling_2to1_ = false;
  reporting_ = false;
  remote_ = false;
  dx_ = dy_ = 0;
}

void Ps2Mouse::reset() {
  clear_state();
  set_defaults();
  wrap_ = false;
  buttons_ = 0;
}

void Ps2Mouse::move(int dx, int dy, uint8_t buttons) {
  dx_ += dx;
  dy_ += dy;
  const bool buttons_changed = buttons != buttons_;
  buttons_ = buttons & 7;
  if (!reporting_ || remote_ || wrap_ || room() < kPacketSize) return;
  if (dx_ != 0 || dy_ != 0 || buttons_changed) send_packet();
}

void Ps2Mouse::send_packet() {
  const int x = std::clamp(dx_, kMinDelta, kMaxDelta), y = std::clamp(dy_, kMinDelta, kMaxDelta);
  uint8_t head = uint8_t(kAlwaysOne | buttons_);
  if (x < 0) head |= kXSign;
  if (y < 0) head |= kYSign;
  if (x != dx_) head |= kXOverflow;
  if (y != dy_) head |= kYOverflow;
  dx_ -= x;
  dy_ -= y;
  send({head, uint8_t(x), uint8_t(y)});
}

void Ps2Mouse::on_command(uint8_t cmd) {
  if (wrap_ && cmd != kReset && cmd != kResetWrap) {
    send({cmd});  // wrap mode echoes everything else
    return;
  }
  switch (cmd) {
    case kSetScaling1: scaling_2to1_ = false; send({kAck}); break;
    case kSetScaling2: scaling_2to1_ = true; send({kAck}); break;
    case kSetResolution:
    case kSetSampleRate:
      send({kAck});
      expect_argument(cmd);
      break;
    case kStatusRequest: {
      const uint8_t status = uint8_t((remote_ ? 0x40 : 0) | (reporting_ ? 0x20 : 0) |
                                     (scaling_2to1_ ? 0x10 : 0) | ((buttons_ & kLeft) ? 4 : 0) |
                                     ((buttons_ & kMiddle) ? 2 : 0) | ((buttons_ & kRight) ? 1 : 0));
      send({kAck, status, resolution_, sample_rate_});
      break;
    }
    case kStreamMode: remote_ = false; dx_ = dy_ = 0; send({kAck}); break;
    case kRemoteMode: remote_ = true; dx_ = dy_ = 0; send({kAck}); break;
    case kReadData:
      send({kAck});
      send_packet();
      break;
    case kResetWrap: wrap_ = false; dx_ = dy_ = 0; send({kAck}); break;
    case kSetWrap: wrap_ = true; dx_ = dy_ = 0; send({kAck}); break;
    case kGetId: dx_ = dy_ = 0; send({kAck, kDeviceId}); break;
    case kEnable: reporting_ = true; dx_ = dy_ = 0; send({kAck}); break;
    case kDisable: reporting_ = false; dx_ = dy_ = 0; send({kAck}); break;
    case kSetDefaults: set_defaults(); send({kAck}); break;
    case kResendCmd: resend(); break;
    case kReset:
      reset();
      send({kAck, kSelfTestPassed, kDeviceId});
      break;
    default: send({kResend}); break;
  }
}

void Ps2Mouse::on_argument(uint8_t cmd, uint8_t arg) {
  if (cmd == kSetResolution) resolution_ = arg & 3;
  else sample_rate_ = arg;
  send({kAck});
}

}  // namespace bt86
