// Text mode 3 (80x25, 16 colours, 9x16 cells) set up as a VGA BIOS would, for boot paths where
// no VGA BIOS runs (-kernel): the IBM mode 3 register values, the EGA colours in DAC entries
// 0-63, an 8x16 font in plane 2 and a cleared screen with the cursor at the top left.
// The font is the one the VGA BIOS itself would load, found in its image (find_vga_bios_font).
#include "devices/vga.h"

namespace bt86 {

namespace {

constexpr uint8_t kMisc = 0x67;
constexpr uint8_t kSeq[5] = {0x03, 0x00, 0x03, 0x00, 0x02};
constexpr uint8_t kCrtc[25] = {0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00,
                               0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x8E,
                               0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF};
constexpr uint8_t kGr[9] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF};
constexpr uint8_t kAttr[21] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A,
                               0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x0C, 0x00, 0x0F, 0x08, 0x00};
constexpr uint8_t kPaletteSourceEnable = 0x20;  // attribute index bit 5: the screen is shown
constexpr unsigned kGlyphs = 256, kGlyphRows = 16, kFontSlotBytes = 32;
constexpr uint16_t kBlankCell = 0x0720;         // space, light grey on black
constexpr uint32_t kTextCells = 0x4000;         // the 32 KiB window at 0xB8000

// Does `font` (256 glyphs of 16 bytes) look like a PC character set: NUL and space empty, the
// full block (DBh) solid, 'A' drawn on at least half its rows?
bool looks_like_pc_font(const uint8_t* font) {
  auto glyph = [&](unsigned ch) { return font + ch * kGlyphRows; };
  for (unsigned y = 0; y < kGlyphRows; ++y)
    if (glyph(0)[y] || glyph(' ')[y] || glyph(0xDB)[y] != 0xFF) return false;
  unsigned drawn = 0;
  for (unsigned y = 0; y < kGlyphRows; ++y) drawn += glyph('A')[y] != 0;
  return drawn >= kGlyphRows / 2;
}

}  // namespace

std::vector<uint8_t> find_vga_bios_font(std::span<const uint8_t> rom) {
  const size_t font_bytes = kGlyphs * kGlyphRows;
  for (size_t at = 0; at + font_bytes <= rom.size(); ++at)
    if (looks_like_pc_font(&rom[at])) return {rom.begin() + ptrdiff_t(at), rom.begin() + ptrdiff_t(at + font_bytes)};
  return {};
}

void Vga::set_text_mode_3(std::span<const uint8_t> font) {
  require_vram("set_text_mode_3");
  write_port(0x3C2, kMisc);  // colour ports (0x3Dx) from here on
  for (uint8_t i = 0; i < sizeof kSeq; ++i) { write_port(0x3C4, i); write_port(0x3C5, kSeq[i]); }
  write_port(0x3D4, 0x11);
  write_port(0x3D5, 0x00);  // unprotect CR0-CR7
  for (uint8_t i = 0; i < sizeof kCrtc; ++i) { write_port(0x3D4, i); write_port(0x3D5, kCrtc[i]); }
  for (uint8_t i = 0; i < sizeof kGr; ++i) { write_port(0x3CE, i); write_port(0x3CF, kGr[i]); }
  input_status_1();  // attribute flip-flop to "index"
  for (uint8_t i = 0; i < sizeof kAttr; ++i) { write_port(0x3C0, i); write_port(0x3C0, kAttr[i]); }
  write_port(0x3C0, kPaletteSourceEnable);
  // The EGA colours: DAC entry i has red = bits 2 (2/3) and 5 (1/3), green 1 and 4, blue 0 and 3.
  write_port(0x3C8, 0);
  for (unsigned i = 0; i < 64; ++i) {
    write_port(0x3C9, uint8_t(0x2A * (i >> 2 & 1) + 0x15 * (i >> 5 & 1)));
    write_port(0x3C9, uint8_t(0x2A * (i >> 1 & 1) + 0x15 * (i >> 4 & 1)));
    write_port(0x3C9, uint8_t(0x2A * (i & 1) + 0x15 * (i >> 3 & 1)));
  }
  // Font: glyph c's rows at plane-2 offset c * 32; text: character in plane 0, attribute in 1.
  for (size_t i = 0; i < font.size() && i < kGlyphs * kGlyphRows; ++i)
    vram_[((i / kGlyphRows) * kFontSlotBytes + i % kGlyphRows) * 4 + 2] = font[i];
  for (uint32_t cell = 0; cell < kTextCells; ++cell) {
    vram_[cell * 2 * 4 + 0] = uint8_t(kBlankCell);
    vram_[cell * 2 * 4 + 1] = uint8_t(kBlankCell >> 8);
  }
  vram_log_.mark(0, kPlaneBytes * 4);
  ++generation_;
}

}  // namespace bt86
