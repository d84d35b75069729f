// The screen a -kernel boot hands to Linux (see linux_video.h).
#include "machine/linux_video.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "devices/vga.h"
#include "machine/le_bytes.h"

namespace bt86 {

namespace {

// struct screen_info (include/uapi/linux/screen_info.h) at the start of the zero page, and the
// setup header's vid_mode.
namespace si {
constexpr uint32_t kVideoMode = 0x06, kVideoCols = 0x07, kVideoEgaBx = 0x0A, kVideoLines = 0x0E,
                   kVideoIsVga = 0x0F, kVideoPoints = 0x10;
constexpr uint32_t kLfbWidth = 0x12, kLfbHeight = 0x14, kLfbDepth = 0x16, kLfbBase = 0x18,
                   kLfbSize = 0x1C, kLfbLineLength = 0x24, kColourLayout = 0x26,  // 8 bytes
                   kVesaPmSeg = 0x2E, kVesaPmOff = 0x30, kPages = 0x32, kVesaAttributes = 0x34,
                   kCapabilities = 0x36;
constexpr uint32_t kVidMode = 0x1FA;  // boot_params.hdr.vid_mode
constexpr uint8_t kTypeVgaColour = 0x01;  // orig_video_isVGA: VGA text, as the setup code stores
constexpr uint8_t kTypeVesaLfb = 0x23;    // VIDEO_TYPE_VLFB
}  // namespace si

// What a VGA BIOS reports for mode 3: int 10h AH=12h BL=10h answers BH=0 (colour), BL=3
// (256 KiB); anything but BL=10h means EGA or better.
constexpr uint8_t kTextMode3 = 0x03;
constexpr uint16_t kEgaBxColour256K = 0x0003;
// VBE mode attributes of an LFB graphics mode: supported, optional info present, colour,
// graphics, linear framebuffer (the setup code requires 0x99 of these).
constexpr uint16_t kVbeLfbModeAttributes = 0x01 | 0x02 | 0x08 | 0x10 | 0x80;
constexpr uint32_t kLfbSizeUnit = 64 * 1024;  // lfb_size: VBE total_memory, in 64 KiB blocks
// A VBE 2.0 DAC is 6 bits wide until function 4F08h widens it; no BIOS, so it stays so.
constexpr uint8_t kDacBits = 6;

constexpr VesaMode kVesaModes[] = {
    {0x101, 640, 480, 8},   {0x110, 640, 480, 15},   {0x111, 640, 480, 16},   {0x112, 640, 480, 24},
    {0x103, 800, 600, 8},   {0x113, 800, 600, 15},   {0x114, 800, 600, 16},   {0x115, 800, 600, 24},
    {0x105, 1024, 768, 8},  {0x116, 1024, 768, 15},  {0x117, 1024, 768, 16},  {0x118, 1024, 768, 24},
    {0x107, 1280, 1024, 8}, {0x119, 1280, 1024, 15}, {0x11A, 1280, 1024, 16}, {0x11B, 1280, 1024, 24},
};

// screen_info's red/green/blue/reserved size and position bytes for a depth, as the Bochs VBE
// BIOS's mode info block gives them; 8 bpp is a palette mode, for which the setup code stores
// the DAC width in every size and zero positions (vesa_dac_set_8bits).
struct ColourLayout { uint8_t red_size, red_pos, green_size, green_pos, blue_size, blue_pos, rsvd_size, rsvd_pos; };
ColourLayout colour_layout(uint8_t bpp) {
  switch (bpp) {
    case 8: return {kDacBits, 0, kDacBits, 0, kDacBits, 0, kDacBits, 0};
    case 15: return {5, 10, 5, 5, 5, 0, 1, 15};
    case 16: return {5, 11, 6, 5, 5, 0, 0, 0};
    case 24: return {8, 16, 8, 8, 8, 0, 0, 0};
    default: return {8, 16, 8, 8, 8, 0, 8, 24};  // 32
  }
}

bool is_80x25_text(uint16_t mode) {
  using namespace linux_vid_mode;
  return mode == kNormal || mode == k80x25 || mode == kCurrent;
}

// What the setup code's store_mode_params() records for the VGA BIOS's mode 3 (cursor at 0,0).
void store_text_mode_3(std::span<uint8_t> zp) {
  zp[si::kVideoMode] = kTextMode3;
  zp[si::kVideoCols] = 80;
  zp[si::kVideoLines] = 25;
  zp[si::kVideoIsVga] = si::kTypeVgaColour;
  put_le<uint16_t>(zp, si::kVideoEgaBx, kEgaBxColour256K);
  put_le<uint16_t>(zp, si::kVideoPoints, 16);
  put_le<uint16_t>(zp, si::kVidMode, linux_vid_mode::k80x25);
}

// vesa_store_mode_params_graphics(): no protected-mode interface (vesapm 0:0, so vesafb neither
// pans nor sets the palette through the BIOS) and a VGA-compatible DAC (capabilities 0).
void store_vesa_mode(std::span<uint8_t> zp, const LinuxScreen& s) {
  const VesaMode& m = s.mode;
  zp[si::kVideoIsVga] = si::kTypeVesaLfb;
  put_le<uint16_t>(zp, si::kLfbWidth, m.width);
  put_le<uint16_t>(zp, si::kLfbHeight, m.height);
  put_le<uint16_t>(zp, si::kLfbDepth, m.bpp);
  put_le<uint32_t>(zp, si::kLfbBase, s.lfb_base);
  put_le<uint32_t>(zp, si::kLfbSize, s.vram_bytes / kLfbSizeUnit);
  put_le<uint16_t>(zp, si::kLfbLineLength, uint16_t(m.line_bytes()));
  const ColourLayout c = colour_layout(m.bpp);
  static_assert(sizeof c == 8);
  std::memcpy(zp.data() + si::kColourLayout, &c, sizeof c);
  put_le<uint16_t>(zp, si::kVesaPmSeg, 0);
  put_le<uint16_t>(zp, si::kVesaPmOff, 0);
  put_le<uint16_t>(zp, si::kPages, 1);
  put_le<uint16_t>(zp, si::kVesaAttributes, kVbeLfbModeAttributes);
  put_le<uint32_t>(zp, si::kCapabilities, 0);
  put_le<uint16_t>(zp, si::kVidMode, m.linux_id());
}

}  // namespace

std::span<const VesaMode> vesa_modes() { return kVesaModes; }

const VesaMode* find_vesa_mode(uint16_t linux_id) {
  const uint16_t id = linux_id & ~linux_vid_mode::kVesaLinear;
  for (const VesaMode& m : kVesaModes)
    if (m.linux_id() == id) return &m;
  return nullptr;
}

VgaOption parse_vga_option(std::string_view cmdline) {
  constexpr std::string_view kKey = "vga=", kSpaces = " \t\n";
  VgaOption opt;
  size_t pos = 0;
  while ((pos = cmdline.find_first_not_of(kSpaces, pos)) != std::string_view::npos) {
    const size_t end = std::min(cmdline.find_first_of(kSpaces, pos), cmdline.size());
    const std::string_view word = cmdline.substr(pos, end - pos);
    pos = end;
    if (word == "--") break;  // the rest is for init
    if (word.substr(0, kKey.size()) != kKey) continue;
    opt = {true, std::string(word.substr(kKey.size())), std::nullopt};
  }
  if (!opt.present) return opt;
  if (opt.text == "normal") opt.mode = linux_vid_mode::kNormal;
  else if (opt.text == "ext") opt.mode = linux_vid_mode::kExtended;
  else if (opt.text == "ask") opt.mode = linux_vid_mode::kAsk;
  else if (!opt.text.empty()) {
    char* end = nullptr;
    const unsigned long value = std::strtoul(opt.text.c_str(), &end, 0);
    if (*end == '\0' && value <= 0xFFFF) opt.mode = uint16_t(value);
  }
  return opt;
}

LinuxScreenChoice choose_linux_screen(std::string_view cmdline, const LinuxVideoHardware& hw) {
  LinuxScreenChoice choice;
  const VgaOption vga = parse_vga_option(cmdline);
  if (!hw.vga) {
    if (vga.present) choice.warning = "-kernel: vga=" + vga.text + " ignored: there is no VGA (-vga none)";
    return choice;
  }
  if (hw.text_font) choice.screen.kind = LinuxScreen::Kind::Text80x25;
  if (!vga.present || (vga.mode && is_80x25_text(*vga.mode))) return choice;
  if (const VesaMode* m = vga.mode ? find_vesa_mode(*vga.mode) : nullptr) {
    choice.screen = {LinuxScreen::Kind::VesaLfb, *m, hw.lfb_base, hw.vram_bytes};
    return choice;
  }
  choice.warning = "-kernel: vga=" + vga.text + " is not supported without a BIOS; " +
                   (hw.text_font ? "staying in 80x25 text mode" : "no video mode is set");
  return choice;
}

void store_screen_info(std::span<uint8_t> zero_page, const LinuxScreen& screen) {
  switch (screen.kind) {
    case LinuxScreen::Kind::None:
      break;
    case LinuxScreen::Kind::Text80x25:
      store_text_mode_3(zero_page);
      break;
    case LinuxScreen::Kind::VesaLfb:
      // The setup code first records the BIOS's text mode 3, then the VESA mode over it.
      store_text_mode_3(zero_page);
      store_vesa_mode(zero_page, screen);
      break;
  }
}

void set_up_linux_screen(Vga& vga, const LinuxScreen& screen, std::span<const uint8_t> text_font) {
  switch (screen.kind) {
    case LinuxScreen::Kind::None:
      break;
    case LinuxScreen::Kind::Text80x25:
      vga.set_text_mode_3(text_font);
      break;
    case LinuxScreen::Kind::VesaLfb:
      if (!vga.set_vbe_mode(screen.mode.width, screen.mode.height, screen.mode.bpp))
        throw std::logic_error("the VGA cannot set VESA mode " + std::to_string(screen.mode.width) + "x" +
                               std::to_string(screen.mode.height) + "x" + std::to_string(screen.mode.bpp));
      break;
  }
}

}  // namespace bt86
