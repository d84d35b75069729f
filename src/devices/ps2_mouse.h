// PS/2 mouse on the 8042's auxiliary port: a standard 3-button mouse (device id 0) that also
// knows the wheel extensions a host unlocks with sample-rate "knocks": setting the rates 200,
// 100, 80 in a row turns it into an IntelliMouse (id 3: a 4th packet byte with the wheel), and
// then 200, 200, 80 into an IntelliMouse Explorer (id 4: 4-bit wheel plus buttons 4 and 5 in the
// 4th byte). Reset returns to id 0. Host commands: reset (0xFA 0xAA id), set defaults,
// enable/disable data reporting, stream/remote mode, read data, wrap (echo) mode, status
// request, sample rate, resolution, scaling, get device id. Movement and button changes are
// reported as packets while reporting is enabled in stream mode; motion that does not fit one
// packet (or a full queue) stays accumulated and goes out with the next packet.
#pragma once
#include "devices/ps2_device.h"

namespace bt86 {

class Ps2Mouse : public Ps2Device {
 public:
  enum Button : uint8_t { kLeft = 1, kRight = 2, kMiddle = 4, kButton4 = 8, kButton5 = 16 };
  static constexpr uint8_t kStandardId = 0x00, kWheelId = 0x03, kExplorerId = 0x04;

  void reset() override;
  // Injects motion (dx right, dy up, in counts), the new button state (Button bits; buttons 4
  // and 5 are only reported as an Explorer) and wheel motion (dz, counts; positive = down, as
  // the IntelliMouse reports it; only reported as id 3 or 4).
  void move(int dx, int dy, uint8_t buttons, int dz = 0);

  bool reporting() const { return reporting_; }
  uint8_t sample_rate() const { return sample_rate_; }
  uint8_t resolution() const { return resolution_; }
  uint8_t device_id() const { return device_id_; }

 protected:
  void on_command(uint8_t cmd) override;
  void on_argument(uint8_t cmd, uint8_t arg) override;

 private:
  void set_defaults();
  void clear_motion();
  void send_packet();  // consumes up to one packet's worth of the accumulated motion
  void note_sample_rate(uint8_t rate);  // watches for the id-changing knock sequences
  size_t packet_size() const { return device_id_ == kStandardId ? 3 : 4; }
  int dx_ = 0, dy_ = 0, dz_ = 0;
  uint8_t buttons_ = 0;
  bool reporting_ = false;
  bool remote_ = false;
  bool wrap_ = false;
  bool scaling_2to1_ = false;
  uint8_t sample_rate_ = 100;
  uint8_t resolution_ = 2;  // 4 counts/mm
  uint8_t device_id_ = kStandardId;
  uint8_t recent_rates_[3] = {};  // the last three sample rates set, oldest first
};

}  // namespace bt86
