// PS/2 mouse (see ps2_mouse.h).
#include "devices/ps2_mouse.h"

#include <algorithm>
#include <iterator>

namespace bt86 {

namespace {

enum : uint8_t {
  kSetScaling1 = 0xE6, kSetScaling2 = 0xE7, kSetResolution = 0xE8, kStatusRequest = 0xE9,
  kStreamMode = 0xEA, kReadData = 0xEB, kResetWrap = 0xEC, kSetWrap = 0xEE, kRemoteMode = 0xF0,
  kGetId = 0xF2, kSetSampleRate = 0xF3, kEnable = 0xF4, kDisable = 0xF5, kSetDefaults = 0xF6,
  kResendCmd = 0xFE, kReset = 0xFF,
};

constexpr int kMinDelta = -256, kMaxDelta = 255;  // 9-bit two's complement
constexpr int kMinWheel = -8, kMaxWheel = 7;      // 4-bit two's complement

// The sample-rate sequences that switch the id (Microsoft IntelliMouse / Explorer protocols).
constexpr uint8_t kWheelKnock[3] = {200, 100, 80}, kExplorerKnock[3] = {200, 200, 80};

// Packet byte 0 bits.
constexpr uint8_t kAlwaysOne = 0x08, kXSign = 0x10, kYSign = 0x20, kXOverflow = 0x40,
                  kYOverflow = 0x80;
constexpr uint8_t kThreeButtons = 0x07, kFiveButtons = 0x1F;
// Explorer packet byte 3: wheel in bits 0-3, buttons 4 and 5 in bits 4 and 5.
constexpr uint8_t kWheelBits = 0x0F;
constexpr unsigned kExtraButtonsShift = 1;  // Button bits 3-4 -> byte 3 bits 4-5

bool matches(const uint8_t (&recent)[3], const uint8_t (&knock)[3]) {
  return std::equal(recent, recent + 3, knock);
}

}  // namespace

void Ps2Mouse::set_defaults() {
  sample_rate_ = 100;
  resolution_ = 2;
  scaling_2to1_ = false;
  reporting_ = false;
  remote_ = false;
  clear_motion();
}

void Ps2Mouse::clear_motion() { dx_ = dy_ = dz_ = 0; }

void Ps2Mouse::reset() {
  clear_state();
  set_defaults();
  wrap_ = false;
  buttons_ = 0;
  device_id_ = kStandardId;
  std::fill(std::begin(recent_rates_), std::end(recent_rates_), 0);
}

void Ps2Mouse::move(int dx, int dy, uint8_t buttons, int dz) {
  dx_ += dx;
  dy_ += dy;
  if (device_id_ != kStandardId) dz_ += dz;
  const uint8_t reported = device_id_ == kExplorerId ? kFiveButtons : kThreeButtons;
  const bool buttons_changed = ((buttons ^ buttons_) & reported) != 0;
  buttons_ = buttons & kFiveButtons;
  if (!reporting_ || remote_ || wrap_ || room() < packet_size()) return;
  if (dx_ != 0 || dy_ != 0 || dz_ != 0 || buttons_changed) send_packet();
}

void Ps2Mouse::send_packet() {
  const int x = std::clamp(dx_, kMinDelta, kMaxDelta), y = std::clamp(dy_, kMinDelta, kMaxDelta);
  uint8_t head = uint8_t(kAlwaysOne | (buttons_ & kThreeButtons));
  if (x < 0) head |= kXSign;
  if (y < 0) head |= kYSign;
  if (x != dx_) head |= kXOverflow;
  if (y != dy_) head |= kYOverflow;
  dx_ -= x;
  dy_ -= y;
  if (device_id_ == kStandardId) {
    send({head, uint8_t(x), uint8_t(y)});
    return;
  }
  const int z = std::clamp(dz_, kMinWheel, kMaxWheel);
  dz_ -= z;
  uint8_t extra = uint8_t(z);
  if (device_id_ == kExplorerId)
    extra = uint8_t((extra & kWheelBits) | ((buttons_ & ~kThreeButtons) << kExtraButtonsShift));
  send({head, uint8_t(x), uint8_t(y), extra});
}

void Ps2Mouse::note_sample_rate(uint8_t rate) {
  std::copy(recent_rates_ + 1, recent_rates_ + 3, recent_rates_);
  recent_rates_[2] = rate;
  if (device_id_ == kStandardId && matches(recent_rates_, kWheelKnock))
    device_id_ = kWheelId;
  else if (device_id_ == kWheelId && matches(recent_rates_, kExplorerKnock))
    device_id_ = kExplorerId;
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
    case kStreamMode: remote_ = false; clear_motion(); send({kAck}); break;
    case kRemoteMode: remote_ = true; clear_motion(); send({kAck}); break;
    case kReadData:
      send({kAck});
      send_packet();
      break;
    case kResetWrap: wrap_ = false; clear_motion(); send({kAck}); break;
    case kSetWrap: wrap_ = true; clear_motion(); send({kAck}); break;
    case kGetId: clear_motion(); send({kAck, device_id_}); break;
    case kEnable: reporting_ = true; clear_motion(); send({kAck}); break;
    case kDisable: reporting_ = false; clear_motion(); send({kAck}); break;
    case kSetDefaults: set_defaults(); send({kAck}); break;
    case kResendCmd: resend(); break;
    case kReset:
      reset();
      send({kAck, kSelfTestPassed, device_id_});
      break;
    default: send({kResend}); break;
  }
}

void Ps2Mouse::on_argument(uint8_t cmd, uint8_t arg) {
  if (cmd == kSetResolution) {
    resolution_ = arg & 3;
  } else {
    sample_rate_ = arg;
    note_sample_rate(arg);
  }
  send({kAck});
}

}  // namespace bt86
