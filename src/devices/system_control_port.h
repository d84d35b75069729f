// System control port B at 0x61 (PC/AT, as PIIX implements it). Writable bits: 0 = PIT counter
// 2 gate, 1 = speaker data enable, 2 and 3 = parity / channel check disable (kept, no NMI source
// exists). Read-only bits: 4 = refresh toggle (flips on every read, which is all BIOS delay
// loops polling it need), 5 = PIT counter 2 OUT; bits 6 and 7 (NMI causes) read as 0.
#pragma once
#include <cstdint>
#include "devices/device.h"
#include "devices/io_bus.h"
#include "devices/pit8254.h"

namespace bt86 {

class SystemControlPort : public Device {
 public:
  static constexpr uint16_t kPort = 0x61;
  static constexpr unsigned kSpeakerCounter = 2;

  explicit SystemControlPort(Pit8254& pit) : pit_(pit) {}
  void attach(IoBus& io) { io.register_ports(kPort, 1, this); }
  const char* name() const override { return "system-control-port-b"; }
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

  // The speaker sounds counter 2's OUT while this is set (bit 1); no audio output exists yet.
  bool speaker_data_enabled() const { return written_ & kSpeakerData; }

 private:
  static constexpr uint8_t kGate2 = 0x01, kSpeakerData = 0x02, kWritable = 0x0F;
  static constexpr uint8_t kRefreshToggle = 0x10, kOut2 = 0x20;
  Pit8254& pit_;
  uint8_t written_ = 0;
  bool refresh_ = false;
};

}  // namespace bt86
