// The screen a -kernel boot hands to Linux: what the kernel's real-mode setup code
// (arch/x86/boot/video*.c) would do on a PC with a VGA BIOS, since on -kernel no BIOS and no setup
// code runs (see linux_loader.h):
//   - parse_vga_option() reads `vga=` from the command line as a boot loader does for the setup
//     header's vid_mode (Documentation/arch/x86/boot.rst): the last vga= wins; "normal", "ext" and
//     "ask" are 0xFFFF, 0xFFFE, 0xFFFD; anything else is a number in C notation (strtoul base 0);
//   - choose_linux_screen() picks text mode 3 or one of the standard VESA linear-framebuffer
//     modes (Linux mode id 0x200 + VESA mode number) that the machine then sets on its VGA, with
//     a one-line warning for what cannot be done without a BIOS;
//   - set_up_linux_screen() sets that screen up on the VGA at every reset;
//   - store_screen_info() writes boot_params.screen_info and hdr.vid_mode as the setup code
//     leaves them (vesa_store_mode_params_graphics() for VESA modes), so that vgacon or vesafb
//     drives the screen.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bt86 {

class Vga;

// Linux video mode ids (arch/x86/boot/video.h) that vga= handling deals with.
namespace linux_vid_mode {
constexpr uint16_t kNormal = 0xFFFF, kExtended = 0xFFFE, kAsk = 0xFFFD;
constexpr uint16_t k80x25 = 0x0F00, kCurrent = 0x0F04;  // VIDEO_80x25, VIDEO_CURRENT_MODE
constexpr uint16_t kFirstVesa = 0x200;                   // VIDEO_FIRST_VESA
constexpr uint16_t kVesaLinear = 0x4000;                 // VBE 4F02h: use the linear framebuffer
}  // namespace linux_vid_mode

struct VesaMode {
  uint16_t number = 0;  // VESA mode number, e.g. 0x117
  uint16_t width = 0, height = 0;
  uint8_t bpp = 0;      // 8 (palette), 15, 16, 24 or 32 (direct colour)
  uint16_t linux_id() const { return linux_vid_mode::kFirstVesa + number; }
  uint32_t line_bytes() const { return uint32_t(width) * ((bpp + 7u) / 8u); }
};

// The standard VESA packed-pixel and direct-colour modes of 640x480 to 1280x1024.
std::span<const VesaMode> vesa_modes();
// The mode for a Linux mode id (0x200 + VESA number; the 0x4000 linear flag is ignored), or null.
const VesaMode* find_vesa_mode(uint16_t linux_id);

// vga= from a kernel command line: the mode id, or nullopt when there is no vga= or its value
// is not a number (`text` then says what was written).
struct VgaOption {
  bool present = false;
  std::string text;              // the value as written, e.g. "0x317" or "ask"
  std::optional<uint16_t> mode;  // the setup header's vid_mode for it
};
VgaOption parse_vga_option(std::string_view cmdline);

// The screen when the kernel starts.
struct LinuxScreen {
  enum class Kind : uint8_t { None, Text80x25, VesaLfb };
  Kind kind = Kind::None;
  VesaMode mode;              // VesaLfb: the mode set on the VGA
  uint32_t lfb_base = 0;      // VesaLfb: physical address of the framebuffer (the VGA's BAR0)
  uint32_t vram_bytes = 0;    // VesaLfb: all of video memory
};

// What the machine offers for a screen.
struct LinuxVideoHardware {
  bool vga = false;           // a VGA is present (-vga std)
  bool text_font = false;     // its BIOS's font was found, so text mode 3 can be set up
  uint32_t lfb_base = 0;      // where firmware puts its linear framebuffer
  uint32_t vram_bytes = 0;
};

struct LinuxScreenChoice {
  LinuxScreen screen;
  std::string warning;  // one line for stderr ("-kernel: vga=... ..."), empty when all is well
};
LinuxScreenChoice choose_linux_screen(std::string_view cmdline, const LinuxVideoHardware& hw);

// Writes screen_info (the zero page's first 0x40 bytes) and, unless there is no screen,
// hdr.vid_mode. `zero_page` is the whole 4 KiB boot_params.
void store_screen_info(std::span<uint8_t> zero_page, const LinuxScreen& screen);

// Sets `screen` up on the VGA as the VGA BIOS (text mode 3, with `text_font`) or the setup code
// (a VESA mode through VBE 4F02h) would have. Throws std::logic_error if the VGA refuses a mode
// of vesa_modes() (a table that does not match the VGA).
void set_up_linux_screen(Vga& vga, const LinuxScreen& screen, std::span<const uint8_t> text_font);

}  // namespace bt86
