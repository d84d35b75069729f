// The VGA memory window at 0xA0000-0xBFFFF (see vga.h for the VRAM layout).
//
// Addressing: chain-4 (SR4 bit 3: byte a is plane a & 3, plane offset a >> 2 — i.e. vram[a]);
// odd/even (SR4 bit 2 clear for writes, GR5 bit 4 for reads: address bit 0 picks the plane pair,
// plane offset a & ~1); otherwise planar (writes go to the planes enabled in the map mask SR2,
// reads come from the plane in GR4). Every read loads the four latches.
// Read mode 0 returns one plane; read mode 1 returns the colour compare result (GR2, don't care
// GR7). Write modes 0-3 combine the CPU byte, set/reset (GR0/GR1), rotation and function select
// (GR3) with the latches under the bit mask (GR8).
// While a Bochs VBE mode of 8 bpp or more is enabled, the window is a 64 KiB bank of linear VRAM;
// in a 4-bpp VBE mode the bank moves the planar window (each plane then spans a quarter of VRAM).
#include <cstring>

#include "devices/vga.h"

namespace bt86 {

namespace {

uint32_t replicate(uint8_t byte) { return byte * 0x01010101u; }

// A 4-bit plane set as a 32-bit byte mask: bit p set -> byte p all ones.
uint32_t expand_planes(uint8_t planes) {
  uint32_t m = 0;
  for (unsigned p = 0; p < 4; ++p)
    if (planes & (1u << p)) m |= 0xFFu << (8 * p);
  return m;
}

uint8_t rotate_right(uint8_t v, unsigned n) { return uint8_t((v >> n) | (v << ((8 - n) & 7))); }

uint32_t load32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
void store32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

bool vbe_banked(const Vga& vga, uint16_t bpp) { return vga.vbe_enabled() && bpp > 4; }

}  // namespace

bool Vga::window_offset(uint32_t paddr, uint32_t& offset) const {
  static constexpr uint32_t kBase[4] = {0xA0000, 0xA0000, 0xB0000, 0xB8000};
  static constexpr uint32_t kSize[4] = {0x20000, 0x10000, 0x8000, 0x8000};
  const unsigned map = (gr_[6] >> 2) & 3;
  offset = paddr - kBase[map];
  return offset < kSize[map];
}

uint32_t Vga::plane_offset(uint32_t offset) const {
  if (vbe_enabled()) offset += vbe_bank_offset();
  return offset & plane_mask();
}

uint32_t Vga::mmio_read(uint32_t paddr, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint32_t(read_byte(paddr + i)) << (8 * i);
  return v;
}

void Vga::mmio_write(uint32_t paddr, uint32_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) write_byte(paddr + i, uint8_t(value >> (8 * i)));
}

uint8_t Vga::read_byte(uint32_t paddr) {
  if (vbe_banked(*this, dispi_[dispi::kBpp])) {
    const uint32_t off = paddr - kWindowBase;
    const uint32_t at = vbe_bank_offset() + off;
    return off < 0x10000 && at < kVramBytes ? vram_[at] : 0xFF;
  }
  uint32_t off = 0;
  if (!window_offset(paddr, off)) return 0xFF;
  unsigned plane = gr_[4] & 3;
  uint32_t plane_off = off;
  if (seq_[4] & 0x08) {                 // chain-4
    plane = off & 3;
    plane_off = off >> 2;
  } else if (gr_[5] & 0x10) {           // odd/even
    plane = (plane & 2) | (off & 1);
    plane_off = off & ~1u;
  }
  plane_off = plane_offset(plane_off);
  latch_ = load32(&vram_[plane_off * 4]);
  if (!(gr_[5] & 0x08)) return uint8_t(latch_ >> (8 * plane));  // read mode 0
  // Read mode 1: a bit is set where every "care" plane (GR7) matches its colour compare bit.
  const uint32_t care = expand_planes(gr_[7] & 0xF);
  const uint32_t differ = (latch_ ^ expand_planes(gr_[2] & 0xF)) & care;
  return uint8_t(~(differ | differ >> 8 | differ >> 16 | differ >> 24));
}

uint32_t Vga::write_mode_result(uint8_t value) const {
  const unsigned rotation = gr_[3] & 7;
  uint8_t bit_mask = gr_[8];
  uint32_t data = 0;
  switch (gr_[5] & 3) {
    case 0: {
      const uint32_t set_reset_planes = expand_planes(gr_[1] & 0xF);
      data = (replicate(rotate_right(value, rotation)) & ~set_reset_planes) |
             (expand_planes(gr_[0] & 0xF) & set_reset_planes);
      break;
    }
    case 1:
      return latch_;
    case 2:
      data = expand_planes(value & 0xF);
      break;
    case 3:
      bit_mask &= rotate_right(value, rotation);
      data = expand_planes(gr_[0] & 0xF);
      break;
  }
  switch ((gr_[3] >> 3) & 3) {
    case 1: data &= latch_; break;
    case 2: data |= latch_; break;
    case 3: data ^= latch_; break;
    default: break;
  }
  const uint32_t mask = replicate(bit_mask);
  return (data & mask) | (latch_ & ~mask);
}

void Vga::write_byte(uint32_t paddr, uint8_t value) {
  if (vbe_banked(*this, dispi_[dispi::kBpp])) {
    const uint32_t off = paddr - kWindowBase;
    const uint32_t at = vbe_bank_offset() + off;
    if (off < 0x10000 && at < kVramBytes) {
      vram_[at] = value;
      vram_log_.mark(at, 1);
    }
    return;
  }
  uint32_t off = 0;
  if (!window_offset(paddr, off)) return;
  uint8_t planes = seq_[2] & 0xF;
  uint32_t plane_off = off;
  if (seq_[4] & 0x08) {                 // chain-4
    planes &= uint8_t(1u << (off & 3));
    plane_off = off >> 2;
  } else if (!(seq_[4] & 0x04)) {       // odd/even: even addresses planes 0/2, odd 1/3
    planes &= (off & 1) ? 0x0A : 0x05;
    plane_off = off & ~1u;
  }
  if (!planes) return;
  const uint32_t at = plane_offset(plane_off) * 4;
  const uint32_t keep = ~expand_planes(planes);
  store32(&vram_[at], (load32(&vram_[at]) & keep) | (write_mode_result(value) & ~keep));
  vram_log_.mark(at, 4);
}

}  // namespace bt86
