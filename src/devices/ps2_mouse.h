// PS/2 mouse (standard 3-button, device id 0) on the 8042's auxiliary port. Host commands:
// reset (0xFA 0xAA 0x00), set defaults, enable/disable data reporting, stream/remote mode, read
// data, wrap (echo) mode, status request, sample rate, resolution, scaling, get device id.
// Movement and button changes are reported as 3-byte packets while reporting is enabled in
// stream mode; motion that does not fit one packet (or a full queue) stays accumulated and goes
// out with the next packet.
#pragma once
#include "devices/ps2_device.h"

namespace bt86 {

class Ps2Mouse : public Ps2Device {
 public:
  enum Button : uint8_t { kLeft = 1, kRight = 2, kMiddle = 4 };

  void reset() override;
  // Injects motion (dx right, dy up, in counts) and the new button state (Button bits).
  void move(int dx, int dy, uint8_t buttons);

  bool reporting() const { return reporting_; }
  uint8_t sample_rate() const { return sample_rate_; }
  uint8_t resolution() const { return resolution_; }

 protected:
  void on_command(uint8_t cmd) override;
  void on_argument(uint8_t cmd, uint8_t arg) override;

 private:
  void set_defaults();
  void send_packet();  // consumes up to one packet's worth of the accumulated motion
  int dx_ = 0, dy_ = 0;
  uint8_t buttons_ = 0;
  bool reporting_ = false;
  bool remote_ = false;
  bool wrap_ = false;
  bool scaling_2to1_ = false;
  uint8_t sample_rate_ = 100;
  uint8_t resolution_ = 2;  // 4 counts/mm
};

}  // namespace bt86
