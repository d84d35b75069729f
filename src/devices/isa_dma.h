// The ISA DMA controllers of a PC: two 8237A chips and the DMA page registers.
//  * DMA1 (channels 0-3, byte transfers) at ports 0x00-0x0F; DMA2 (channels 4-7, word transfers,
//    channel 4 cascades DMA1) at 0xC0-0xDF, its registers on even ports.
//  * Per channel: base and current address and word count (16-bit, written and read low byte
//    then high byte through the byte-pointer flip-flop), mode register, mask bit, request bit.
//    Per chip: command register, status (terminal count bits 0-3, request bits 4-7; reading
//    clears the TC bits), temporary register, master clear, clear mask, write all masks.
//  * Page registers 0x80-0x8F: sixteen read/write latches (0x87/0x83/0x81/0x82 hold bits 16-23
//    of channels 0-3, 0x8F/0x8B/0x89/0x8A of channels 4-7). Port 0x80 is one of them, the
//    latch firmware writes POST codes to and Linux writes for I/O delays.
// No device of this machine requests ISA DMA (there is no floppy or ISA sound card), so the
// register file is complete but no transfer engine exists: software request bits are stored and
// reported in the status register, and nothing moves. docs/devices.md lists this.
#pragma once
#include <array>
#include <cstdint>
#include "devices/device.h"
#include "devices/io_bus.h"

namespace bt86 {

class Dma8237 {
 public:
  struct Channel {
    uint16_t base_address = 0, current_address = 0;
    uint16_t base_count = 0, current_count = 0;
    uint8_t mode = 0;
  };
  void reset();                           // master clear: all masked, flip-flop and status clear
  uint8_t read(unsigned reg);             // reg 0-15 as on the chip's A3-A0 pins
  void write(unsigned reg, uint8_t value);
  const Channel& channel(unsigned n) const { return ch_[n]; }
  uint8_t mask() const { return mask_; }
  uint8_t command() const { return command_; }

 private:
  uint8_t flip_flop_byte(uint16_t value);            // low byte first, then high
  void flip_flop_write(uint16_t& base, uint16_t& current, uint8_t value);
  std::array<Channel, 4> ch_{};
  uint8_t command_ = 0, status_ = 0, request_ = 0, mask_ = 0x0F, temporary_ = 0;
  bool high_byte_ = false;
};

class IsaDma : public Device {
 public:
  static constexpr uint16_t kDma1Base = 0x00, kDma2Base = 0xC0, kPageBase = 0x80;
  void attach(IoBus& io);

  const char* name() const override { return "isa-dma"; }
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;

  const Dma8237& dma1() const { return dma1_; }
  const Dma8237& dma2() const { return dma2_; }
  uint8_t page_register(unsigned port_offset) const { return page_[port_offset & 15]; }

 private:
  Dma8237 dma1_, dma2_;
  std::array<uint8_t, 16> page_{};
};

}  // namespace bt86
