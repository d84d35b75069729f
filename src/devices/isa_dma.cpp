// The ISA DMA controllers and page registers (see isa_dma.h).
#include "devices/isa_dma.h"

namespace bt86 {

// Register numbers of an 8237A (address pins A3-A0).
namespace dma_reg {
constexpr unsigned kCommandStatus = 8, kRequest = 9, kSingleMask = 10, kMode = 11,
                   kClearFlipFlop = 12, kMasterClearTemp = 13, kClearMask = 14, kWriteAllMask = 15;
}

void Dma8237::reset() {
  command_ = status_ = request_ = temporary_ = 0;
  mask_ = 0x0F;
  high_byte_ = false;
}

uint8_t Dma8237::flip_flop_byte(uint16_t value) {
  const uint8_t b = high_byte_ ? uint8_t(value >> 8) : uint8_t(value);
  high_byte_ = !high_byte_;
  return b;
}

void Dma8237::flip_flop_write(uint16_t& base, uint16_t& current, uint8_t value) {
  base = high_byte_ ? uint16_t((base & 0x00FF) | value << 8) : uint16_t((base & 0xFF00) | value);
  current = base;  // writing the base register loads the current register too
  high_byte_ = !high_byte_;
}

uint8_t Dma8237::read(unsigned reg) {
  if (reg < 8) {
    Channel& c = ch_[reg >> 1];
    return flip_flop_byte(reg & 1 ? c.current_count : c.current_address);
  }
  switch (reg) {
    case dma_reg::kCommandStatus: {
      const uint8_t s = uint8_t(status_ | request_ << 4);
      status_ = 0;  // reading the status clears the terminal-count bits
      return s;
    }
    case dma_reg::kMasterClearTemp: return temporary_;
    case dma_reg::kWriteAllMask: return uint8_t(0xF0 | mask_);  // readable on the PIIX's 8237s
    default: return 0xFF;  // write-only registers
  }
}

void Dma8237::write(unsigned reg, uint8_t value) {
  if (reg < 8) {
    Channel& c = ch_[reg >> 1];
    if (reg & 1) flip_flop_write(c.base_count, c.current_count, value);
    else flip_flop_write(c.base_address, c.current_address, value);
    return;
  }
  switch (reg) {
    case dma_reg::kCommandStatus: command_ = value; break;
    case dma_reg::kRequest:
      if (value & 4) request_ |= uint8_t(1u << (value & 3));
      else request_ &= uint8_t(~(1u << (value & 3)));
      break;
    case dma_reg::kSingleMask:
      if (value & 4) mask_ |= uint8_t(1u << (value & 3));
      else mask_ &= uint8_t(~(1u << (value & 3)));
      break;
    case dma_reg::kMode: ch_[value & 3].mode = value; break;
    case dma_reg::kClearFlipFlop: high_byte_ = false; break;
    case dma_reg::kMasterClearTemp: reset(); break;
    case dma_reg::kClearMask: mask_ = 0; break;
    case dma_reg::kWriteAllMask: mask_ = value & 0x0F; break;
  }
}

void IsaDma::attach(IoBus& io) {
  io.register_ports(kDma1Base, 16, this);
  io.register_ports(kDma2Base, 32, this);
  io.register_ports(kPageBase, 16, this);
}

void IsaDma::reset() {
  dma1_.reset();
  dma2_.reset();
  page_.fill(0);
}

uint32_t IsaDma::io_read(uint16_t port, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) {  // wider accesses read consecutive byte ports
    const uint16_t p = uint16_t(port + i);
    uint8_t b = 0xFF;
    if (p < kDma1Base + 16) b = dma1_.read(p - kDma1Base);
    else if (p >= kPageBase && p < kPageBase + 16) b = page_[p - kPageBase];
    else if (p >= kDma2Base && p < kDma2Base + 32 && !(p & 1)) b = dma2_.read((p - kDma2Base) >> 1);
    v |= uint32_t(b) << (8 * i);
  }
  return v;
}

void IsaDma::io_write(uint16_t port, uint32_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) {
    const uint16_t p = uint16_t(port + i);
    const uint8_t b = uint8_t(value >> (8 * i));
    if (p < kDma1Base + 16) dma1_.write(p - kDma1Base, b);
    else if (p >= kPageBase && p < kPageBase + 16) page_[p - kPageBase] = b;
    else if (p >= kDma2Base && p < kDma2Base + 32 && !(p & 1)) dma2_.write((p - kDma2Base) >> 1, b);
  }
}

}  // namespace bt86
