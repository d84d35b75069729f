// Rendering of the current mode into an RGB frame (see vga.h): picks Bochs VBE, text, 256-colour
// (GR5 bit 6, mode 13h) or 16-colour planar, and maps colours through the attribute controller
// palette and the DAC. Frames are at the mode's logical resolution: double-scanned lines
// (CR9 bit 7, or CR9 max scan line > 0 in graphics modes) are shown once.
// While the attribute controller's palette address source (index bit 5) is clear the screen is
// blanked, as on the hardware.
// The CGA-compatible modes 4-6 are drawn with their two 8 KiB scan-line banks (CR17 bit 0) and,
// for 4 and 5, 2-bit pixels (GR5 bit 5 shift register interleave).
#include <algorithm>
#include <cstring>

#include "devices/vga.h"

namespace bt86 {

namespace {

uint8_t expand6(unsigned v) { return uint8_t(v << 2 | v >> 4); }
uint8_t expand5(unsigned v) { return uint8_t(v << 3 | v >> 2); }
uint32_t rgb(uint8_t r, uint8_t g, uint8_t b) { return uint32_t(r) << 16 | uint32_t(g) << 8 | b; }

}  // namespace

uint32_t Vga::palette_rgb(uint8_t dac_index) const {
  const uint8_t* e = &dac_[(dac_index & dac_mask_) * 3];
  if (dispi_[dispi::kEnable] & dispi::k8BitDac) return rgb(e[0], e[1], e[2]);
  return rgb(expand6(e[0]), expand6(e[1]), expand6(e[2]));
}

uint32_t Vga::attribute_rgb(uint8_t colour) const {
  uint8_t index = attr_[colour & 0x0F] & 0x3F;
  if (attr_[0x10] & 0x80) index = uint8_t((index & 0x0F) | (attr_[0x14] & 0x03) << 4);
  return palette_rgb(uint8_t(index | (attr_[0x14] & 0x0C) << 4));
}

unsigned Vga::crtc_display_lines() const {
  return (crtc_[0x12] | (crtc_[7] & 0x02) << 7 | (crtc_[7] & 0x40) << 3) + 1u;
}

VgaFrame Vga::render() const {
  require_vram("render");
  VgaFrame f;
  if (vbe_enabled()) {
    render_vbe(f);
    return f;
  }
  if (text_mode()) render_text(f);
  else if (gr_[5] & 0x40) render_256(f);
  else render_planar(f);
  if (!(attr_index_ & 0x20)) std::fill(f.pixels.begin(), f.pixels.end(), 0);
  return f;
}

namespace {

// How a 16-colour, CGA or 4-bpp VBE frame lies in the planes: line y starts at plane offset
// start + row(y) * stride, successive character clocks (8 pixels each) are `step` apart. With
// CGA banks (CR17 bit 0 clear) scan line bit 0 of each character row replaces address bit 13,
// so the two scan lines of a row come from the two 8 KiB banks, as CGA software expects.
struct PlanarLayout {
  uint32_t start, stride, step, mask;
  unsigned scans_per_row;  // > 1 only with CGA banks
  bool cga_banks;
  bool interleave;          // GR5 bit 5: 2 bits per pixel, planes 0 and 1 (CGA modes 4/5)
  uint32_t line_offset(unsigned y) const {
    if (!cga_banks) return start + y * stride;
    return (start + y / scans_per_row * stride) | (y % scans_per_row & 1u) << 13;
  }
};

// Colour of pixel `bit` (0 = leftmost) of the character clock whose four plane bytes are `cell`.
unsigned planar_pixel(const uint8_t* cell, unsigned bit, bool interleave) {
  if (interleave) {  // pixels 0-3 from plane 0, 4-7 from plane 1; bits 7:6 are the leftmost
    const uint8_t byte = cell[bit / 4];
    return byte >> (6 - 2 * (bit % 4)) & 3;
  }
  const unsigned shift = 7 - bit;
  return (cell[0] >> shift & 1) | (cell[1] >> shift & 1) << 1 | (cell[2] >> shift & 1) << 2 |
         (cell[3] >> shift & 1) << 3;
}

void draw_planar(const uint8_t* vram, VgaFrame& f, const PlanarLayout& layout,
                 const std::array<uint32_t, 16>& colour_rgb) {
  for (unsigned y = 0; y < f.height; ++y) {
    const uint32_t line = layout.line_offset(y);
    for (unsigned xb = 0; xb < f.width / 8; ++xb) {
      const uint8_t* cell = &vram[((line + xb * layout.step) & layout.mask) * 4];
      for (unsigned bit = 0; bit < 8; ++bit)
        f.pixels[size_t(y) * f.width + xb * 8 + bit] = colour_rgb[planar_pixel(cell, bit, layout.interleave)];
    }
  }
}

// Graphics-mode frame height: display lines, each shown (CR9 max scan + 1) * (double scan) times.
unsigned graphics_height(unsigned lines, uint8_t cr9) {
  return lines / ((cr9 & 0x1F) + 1u) / ((cr9 & 0x80) ? 2u : 1u);
}

}  // namespace

void Vga::render_planar(VgaFrame& f) const {
  const bool cga_banks = !(crtc_[0x17] & 0x01);
  const unsigned word_shift = (crtc_[0x17] & 0x40) ? 0 : 1;  // word mode: MA -> plane offset 2*MA
  const PlanarLayout layout{crtc_start() << word_shift,
                            (crtc_[0x13] * 2u) << word_shift,
                            1u << word_shift,
                            plane_mask(),
                            cga_banks ? crtc_scanlines_per_row() : 1u,
                            cga_banks,
                            (gr_[5] & 0x20) != 0};
  f.width = (crtc_[1] + 1u) * 8;
  f.height = graphics_height(crtc_display_lines(), uint8_t(cga_banks ? crtc_[9] & 0x80 : crtc_[9]));
  f.pixels.assign(size_t(f.width) * f.height, 0);
  draw_planar(vram_.data(), f, layout, planar_colours());
}

Vga::PlanarColours Vga::planar_colours() const {
  PlanarColours colours;
  const uint8_t plane_enable = attr_[0x12] & 0x0F;
  for (unsigned c = 0; c < 16; ++c) colours[c] = attribute_rgb(uint8_t(c & plane_enable));
  return colours;
}

void Vga::render_256(VgaFrame& f) const {
  f.width = (crtc_[1] + 1u) * 4;
  f.height = graphics_height(crtc_display_lines(), crtc_[9]);
  f.pixels.assign(size_t(f.width) * f.height, 0);
  // Chain-4 byte a is vram[a]; the CRTC's address counter counts 4-byte units.
  const uint32_t start = crtc_start() * 4, stride = crtc_[0x13] * 8u;
  for (unsigned y = 0; y < f.height; ++y)
    for (unsigned x = 0; x < f.width; ++x)
      f.pixels[size_t(y) * f.width + x] = palette_rgb(vram_[(start + y * stride + x) & (4 * kPlaneBytes - 1)]);
}

void Vga::render_vbe(VgaFrame& f) const {
  using namespace dispi;
  const unsigned bpp = dispi_[kBpp];
  f.width = std::min<unsigned>(dispi_[kXres], kMaxXres);
  f.height = std::min<unsigned>(dispi_[kYres], kMaxYres);
  if (f.width == 0 || f.height == 0) {  // XRES or YRES 0: no picture, an empty 0x0 frame
    f.width = f.height = 0;
    f.pixels.clear();
    return;
  }
  f.pixels.assign(size_t(f.width) * f.height, 0);
  if (bpp == 4) {  // planar, like the VGA's 16-colour modes
    const uint32_t plane_stride = dispi_[kVirtWidth] / 8u;
    const PlanarLayout layout{dispi_[kYOffset] * plane_stride + dispi_[kXOffset] / 8u,
                              plane_stride, 1, plane_mask(), 1, false, false};
    draw_planar(vram_.data(), f, layout, planar_colours());
    return;
  }
  render_vbe_lines(f, 0, f.height);
}

uint64_t Vga::vbe_line_start(unsigned y) const {
  using namespace dispi;
  const uint64_t line_bytes = vbe_line_bytes(dispi_[kVirtWidth]);
  return (dispi_[kYOffset] + uint64_t(y)) * line_bytes + dispi_[kXOffset] * vbe_bytes_per_pixel();
}

void Vga::render_vbe_lines(VgaFrame& f, unsigned first, unsigned end) const {
  const unsigned bpp = dispi_[dispi::kBpp];
  const uint32_t pixel_bytes = vbe_bytes_per_pixel();
  for (unsigned y = first; y < end; ++y) {
    const uint64_t line = vbe_line_start(y);
    uint32_t* out = f.pixels.data() + size_t(y) * f.width;  // (no reference into an empty frame)
    for (unsigned x = 0; x < f.width; ++x, ++out) {
      const uint64_t at = line + uint64_t(x) * pixel_bytes;
      if (at + 4 > kVramBytes) {
        *out = 0;
        continue;
      }
      uint32_t v = 0;
      std::memcpy(&v, &vram_[at], 4);
      switch (bpp) {
        case 8: *out = palette_rgb(uint8_t(v)); break;
        case 15: *out = rgb(expand5(v >> 10 & 31), expand5(v >> 5 & 31), expand5(v & 31)); break;
        case 16: *out = rgb(expand5(v >> 11 & 31), expand6(v >> 5 & 63), expand5(v & 31)); break;
        default: *out = v & 0xFFFFFF; break;  // 24 and 32 bpp: B, G, R bytes
      }
    }
  }
}

}  // namespace bt86
