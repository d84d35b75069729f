// Alphanumeric (text) modes: the screen as characters + attributes, and its rendering with the
// font from plane 2.
//
// The CRTC scans text in word mode: character cell MA (start address CR0C/CR0D, rows CR13 * 2
// cells apart) is plane offset 2 * MA, with the character in plane 0 and the attribute in plane
// 1 — where odd/even CPU writes to 0xB8000 + 2 * MA put them. Glyphs are 32-byte slots in plane
// 2 at the character map chosen by SR3 (attribute bit 3 picks map A over map B). The cursor and,
// with AR10 bit 3, characters whose attribute bit 7 is set blink with blink_phase().
#include "devices/vga.h"

namespace bt86 {

namespace {

constexpr uint32_t kFontSlotBytes = 32;

// Plane-2 offset of character map n (0-7): 0, 16K, 32K, 48K, 8K, 24K, 40K, 56K.
uint32_t font_map_offset(unsigned n) { return (n & 3) * 0x4000 + (n >> 2) * 0x2000; }

}  // namespace

VgaTextScreen Vga::text_screen() const {
  require_vram("text_screen");
  VgaTextScreen s;
  if (!text_mode()) return s;
  s.cols = crtc_[1] + 1u;
  s.rows = crtc_display_lines() / crtc_scanlines_per_row();
  const uint32_t start = crtc_start(), stride = crtc_[0x13] * 2u;
  s.cells.resize(size_t(s.cols) * s.rows);
  for (unsigned r = 0; r < s.rows; ++r) {
    for (unsigned c = 0; c < s.cols; ++c) {
      const uint32_t plane_off = (2 * (start + r * stride + c)) & (kPlaneBytes - 1);
      const uint8_t* cell = &vram_[plane_off * 4];
      s.cells[r * s.cols + c] = uint16_t(cell[0] | cell[1] << 8);
    }
  }
  const uint32_t cursor = uint32_t(crtc_[0x0E]) << 8 | crtc_[0x0F];
  if (cursor >= start && stride > 0) {
    s.cursor_row = (cursor - start) / stride;
    s.cursor_col = (cursor - start) % stride;
    s.cursor_visible = !(crtc_[0x0A] & 0x20) && s.cursor_row < s.rows && s.cursor_col < s.cols;
  }
  return s;
}

void Vga::render_text(VgaFrame& f) const {
  const VgaTextScreen screen = text_screen();
  const unsigned cell_w = (seq_[1] & 0x01) ? 8 : 9, cell_h = crtc_scanlines_per_row();
  f.width = screen.cols * cell_w;
  f.height = screen.rows * cell_h;
  f.pixels.assign(size_t(f.width) * f.height, 0);
  const uint8_t sr3 = seq_[3];
  const uint32_t map_a = font_map_offset((sr3 >> 5 & 1) << 2 | (sr3 >> 2 & 3));
  const uint32_t map_b = font_map_offset((sr3 >> 4 & 1) << 2 | (sr3 & 3));
  const bool blink_attr = attr_[0x10] & 0x08;       // attribute bit 7 blinks instead of bright bg
  const bool line_graphics = attr_[0x10] & 0x04;    // 9th column repeats the 8th for C0h-DFh
  const unsigned cursor_top = crtc_[0x0A] & 0x1F, cursor_bottom = crtc_[0x0B] & 0x1F;
  const unsigned phase = blink_phase();
  const bool cursor_on = phase & 1, blinking_shown = phase & 2;
  for (unsigned r = 0; r < screen.rows; ++r) {
    for (unsigned c = 0; c < screen.cols; ++c) {
      const uint8_t ch = uint8_t(screen.char_at(c, r)), attr = screen.attr_at(c, r);
      const uint32_t bg = attribute_rgb(blink_attr ? (attr >> 4) & 7 : attr >> 4);
      const bool hidden = blink_attr && (attr & 0x80) && !blinking_shown;
      const uint32_t fg = hidden ? bg : attribute_rgb(attr & 0x0F);
      const uint32_t glyph = ((attr & 0x08) ? map_a : map_b) + ch * kFontSlotBytes;
      const bool cursor_here =
          cursor_on && screen.cursor_visible && r == screen.cursor_row && c == screen.cursor_col;
      for (unsigned y = 0; y < cell_h; ++y) {
        unsigned bits = vram_[((glyph + y) & (kPlaneBytes - 1)) * 4 + 2] << 1;
        if (line_graphics && ch >= 0xC0 && ch <= 0xDF) bits |= (bits >> 1) & 1;
        if (cursor_here && y >= cursor_top && y <= cursor_bottom) bits = 0x1FF;
        uint32_t* out = &f.pixels[size_t(r * cell_h + y) * f.width + c * cell_w];
        for (unsigned x = 0; x < cell_w; ++x) out[x] = (bits >> (8 - x)) & 1 ? fg : bg;
      }
    }
  }
}

}  // namespace bt86
