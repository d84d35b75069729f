// The standard VGA with the Bochs VBE ("DISPI") extensions, as QEMU's "-vga std" models it and
// its VGA BIOS (SeaVGABIOS vgabios-stdvga.bin) expects.
//
// - Registers (vga.cpp): misc output, sequencer, graphics controller, attribute controller
//   (index/data flip-flop, reset by reading input status 1), CRTC (CR11 bit 7 write-protects
//   CR0-CR7), DAC (read/write indexes, 3 auto-incrementing 6-bit components), input status 1
//   (display-enable and vertical-retrace bits follow virtual time). Misc output bit 0 picks the
//   colour (0x3Dx) or mono (0x3Bx) CRTC/status ports; the other set is absent.
// - Memory (vga_memory.cpp): the 0xA0000-0xBFFFF window (GR6 memory map select) with chain-4,
//   odd/even and planar addressing, latches, read modes 0/1 and write modes 0-3.
// - Bochs VBE (vga_dispi.cpp): index/data ports 0x1CE/0x1CF; banked access through 0xA0000; the
//   linear framebuffer is VRAM itself, mapped by the PCI function (vga_pci.h) as device RAM.
// - Mode 3 without a VGA BIOS (vga_mode3.cpp), for -kernel boots.
// - Readout (vga_text.cpp, vga_render.cpp): the text screen as characters + attributes, and an
//   RGB framebuffer of the current mode. Rendering reads VRAM on demand: the MMIO path never
//   renders.
// - Change tracking (for a display that redraws only what changed, vga_view.cpp): every port
//   write bumps generation(); VRAM writes (window or linear framebuffer) are logged per 4 KiB
//   page in vram_log(). Text-mode blinking (cursor, blink attribute) is time-driven:
//   blink_phase() changes too. update_view() combines the three.
//
// VRAM layout: one 16 MiB buffer. The VGA's four 64 KiB planes are interleaved in its first
// 256 KiB: byte `offset` of plane p is vram[offset * 4 + p], so a latch load is one 32-bit read
// and chain-4 (mode 13h) byte a is simply vram[a]. VBE modes use the buffer linearly.
//
// VRAM is device RAM in the PhysMem's memfd (PhysMem::alloc_device_ram), allocated by attach(),
// like guest RAM for a shadow MMU that maps it; it lives as long as that PhysMem. A Vga has no
// VRAM before attach(): the calls that need it (rendering, mode set-up) throw std::logic_error.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>
#include "devices/clock.h"
#include "devices/device.h"
#include "devices/io_bus.h"
#include "mmu/phys_mem.h"

namespace bt86 {

// The text screen as the CRTC shows it: cells[row * cols + col] = character | attribute << 8.
struct VgaTextScreen {
  unsigned cols = 0, rows = 0;
  std::vector<uint16_t> cells;
  bool cursor_visible = false;
  unsigned cursor_col = 0, cursor_row = 0;
  char char_at(unsigned col, unsigned row) const { return char(cells[row * cols + col] & 0xFF); }
  uint8_t attr_at(unsigned col, unsigned row) const { return uint8_t(cells[row * cols + col] >> 8); }
  std::string row_text(unsigned row) const;  // one row as characters, trailing spaces removed
};

// A rendered frame: pixels[y * width + x] = 0x00RRGGBB.
struct VgaFrame {
  unsigned width = 0, height = 0;
  std::vector<uint32_t> pixels;
  uint32_t at(unsigned x, unsigned y) const { return pixels[y * width + x]; }
};

// A display's copy of the picture, kept up to date by Vga::update_view.
struct VgaView {
  VgaFrame frame;
  uint64_t generation = ~0ull;  // the register state frame was drawn with
  unsigned blink = ~0u;
  PageSet dirty;                // scratch: the VRAM pages written since the last update
};

// Lines [first, end) of a frame.
struct VgaLineSpan {
  unsigned first = 0, end = 0;
  bool empty() const { return first >= end; }
};

// Bochs VBE DISPI register indexes and ENABLE bits.
namespace dispi {
constexpr uint16_t kIndexPort = 0x1CE, kDataPort = 0x1CF;
enum Index : uint16_t {
  kId, kXres, kYres, kBpp, kEnable, kBank, kVirtWidth, kVirtHeight, kXOffset, kYOffset,
  kVideoMemory64K, kCount
};
constexpr uint16_t kId0 = 0xB0C0, kId5 = 0xB0C5;
constexpr uint16_t kEnabled = 0x01, kGetCaps = 0x02, k8BitDac = 0x20, kLfbEnabled = 0x40,
                   kNoClearMem = 0x80;
constexpr uint16_t kMaxXres = 2560, kMaxYres = 1600, kMaxBpp = 32;
}  // namespace dispi

class Vga : public Device {
 public:
  static constexpr uint32_t kVramBytes = 16u << 20;
  static constexpr uint32_t kPlaneBytes = 64u << 10;
  static constexpr uint32_t kWindowBase = 0xA0000, kWindowSize = 0x20000;

  // clock: drives the retrace bits of input status 1; without one they toggle on every read.
  explicit Vga(const VirtualClock* clock = nullptr);

  // Claims ports 0x3B0-0x3DF and 0x1CE-0x1CF and the 0xA0000-0xBFFFF MMIO window, and takes
  // the 16 MiB of VRAM from `mem` (which must outlive the Vga's use of it). Once only.
  void attach(IoBus& io, PhysMem& mem);

  const char* name() const override { return "vga"; }
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, uint32_t value, unsigned size) override;
  uint32_t mmio_read(uint32_t paddr, unsigned size) override;   // the 0xA0000 window
  void mmio_write(uint32_t paddr, uint32_t value, unsigned size) override;

  // VRAM, which the PCI function maps as the linear framebuffer (PCI BAR0, device RAM): guest
  // stores to it are logged page by page in vram_log(), as are the 0xA0000 window's. Empty
  // (nullptr) until attach().
  uint8_t* vram() { return vram_.data(); }
  const uint8_t* vram() const { return vram_.data(); }
  std::span<uint8_t> vram_span() { return vram_; }
  DirtyLog& vram_log() { return vram_log_; }

  VgaTextScreen text_screen() const;
  VgaFrame render() const;
  // For the one display (vga_view.cpp): brings view.frame up to what render() shows now and
  // returns the lines that changed. After a register write (or a blink step in text modes) the
  // frame is rendered again and compared; when only VRAM was written, a linear VBE mode re-renders
  // just the lines lying in pages the dirty log names, so an idle or mostly still framebuffer
  // costs almost nothing. Takes (empties) vram_log().
  VgaLineSpan update_view(VgaView& view);
  // Bumped by every register write and mode set-up (not by VRAM writes: see vram_log()).
  uint64_t generation() const { return generation_; }
  // Text modes: the blink counter (VGA: the cursor toggles every 8 frames, blinking characters
  // every 16; frames at 70 Hz of virtual time). Bit 0: cursor shown, bit 1: blinking characters
  // shown. Without a clock, or outside text modes, both stay on (3).
  unsigned blink_phase() const;
  bool vbe_enabled() const { return dispi_[dispi::kEnable] & dispi::kEnabled; }
  bool text_mode() const { return !vbe_enabled() && !(gr_[6] & 0x01); }

  // Sets up text mode 3 as the VGA BIOS would (vga_mode3.cpp): registers, DAC, `font` (8x16,
  // 256 glyphs) in plane 2, a blank screen. For boot paths that run no VGA BIOS (-kernel).
  void set_text_mode_3(std::span<const uint8_t> font);
  // Sets a Bochs VBE linear-framebuffer mode as the VGA BIOS's VBE function 4F02h would (DISPI
  // registers, LFB enabled, memory cleared). For boot paths that run no VGA BIOS (-kernel vga=).
  // Returns false (and changes nothing) if the DISPI registers cannot express the mode.
  bool set_vbe_mode(uint16_t xres, uint16_t yres, uint16_t bpp);

 private:
  // --- registers (vga.cpp)
  bool mono() const { return !(misc_ & 0x01); }
  uint8_t input_status_1();
  uint8_t read_port(uint16_t port);
  void write_port(uint16_t port, uint8_t value);
  void write_crtc(uint8_t value);
  void write_attribute(uint8_t value);
  uint8_t read_dac_data();
  void write_dac_data(uint8_t value);

  // --- memory (vga_memory.cpp)
  uint8_t read_byte(uint32_t paddr);
  void write_byte(uint32_t paddr, uint8_t value);
  bool window_offset(uint32_t paddr, uint32_t& offset) const;  // GR6 memory map select
  uint32_t write_mode_result(uint8_t value) const;             // the 4 planes to store
  // Plane offset of a window offset: wraps at 64 KiB per plane; in a 4-bpp VBE mode the bank
  // is added and the planes span all of VRAM.
  uint32_t plane_offset(uint32_t offset) const;
  uint32_t plane_mask() const { return (vbe_enabled() ? kVramBytes / 4 : kPlaneBytes) - 1; }

  // --- Bochs VBE (vga_dispi.cpp)
  uint16_t dispi_read(uint16_t index) const;
  void dispi_write(uint16_t index, uint16_t value);
  void dispi_enable(uint16_t value);
  uint32_t vbe_bytes_per_pixel() const { return (dispi_[dispi::kBpp] + 7) / 8; }  // 15 bpp: 2
  uint32_t vbe_line_bytes(uint32_t pixels) const {  // VRAM bytes of a line (4 bpp: all planes)
    return dispi_[dispi::kBpp] == 4 ? pixels / 2 : pixels * vbe_bytes_per_pixel();
  }
  uint32_t vbe_bank_offset() const { return uint32_t(dispi_[dispi::kBank]) << 16; }

  // --- rendering (vga_text.cpp, vga_render.cpp)
  uint32_t palette_rgb(uint8_t dac_index) const;    // DAC entry as 0xRRGGBB
  uint32_t attribute_rgb(uint8_t colour) const;     // 4-bit colour through the attribute palette
  using PlanarColours = std::array<uint32_t, 16>;
  PlanarColours planar_colours() const;            // 16-colour modes: AR12 plane enable applied
  void render_text(VgaFrame& f) const;
  void render_planar(VgaFrame& f) const;
  void render_256(VgaFrame& f) const;
  void render_vbe(VgaFrame& f) const;
  bool vbe_linear() const { return vbe_enabled() && dispi_[dispi::kBpp] > 4; }
  // Linear VBE modes: where line y starts in VRAM, and how many bytes it shows.
  uint64_t vbe_line_start(unsigned y) const;
  uint32_t vbe_shown_bytes() const { return dispi_[dispi::kXres] * vbe_bytes_per_pixel(); }
  void render_vbe_lines(VgaFrame& f, unsigned first, unsigned end) const;
  unsigned crtc_display_lines() const;  // vertical display end + 1
  unsigned crtc_scanlines_per_row() const { return (crtc_[9] & 0x1F) + 1; }
  uint32_t crtc_start() const { return uint32_t(crtc_[0x0C]) << 8 | crtc_[0x0D]; }

  // The VRAM-using public calls before attach(): a clear error instead of a stray pointer.
  void require_vram(const char* what) const;

  const VirtualClock* clock_;
  std::span<uint8_t> vram_;  // kVramBytes of PhysMem device RAM once attached
  DirtyLog vram_log_{kVramBytes};

  uint8_t misc_ = 0;
  uint8_t seq_index_ = 0, gr_index_ = 0, crtc_index_ = 0, attr_index_ = 0;
  bool attr_flipflop_data_ = false;  // next 0x3C0 write is data (else index)
  std::array<uint8_t, 8> seq_{};
  std::array<uint8_t, 16> gr_{};
  std::array<uint8_t, 32> crtc_{};
  std::array<uint8_t, 32> attr_{};
  uint8_t feature_ = 0, vga_enable_ = 1;
  uint8_t dac_mask_ = 0xFF, dac_read_index_ = 0, dac_write_index_ = 0, dac_component_ = 0;
  bool dac_reading_ = false;  // which index was written last (DAC state register)
  std::array<uint8_t, 256 * 3> dac_{};
  uint32_t latch_ = 0;        // the four plane latches, plane p in bits 8p..8p+7
  uint32_t status_toggle_ = 0;
  uint64_t generation_ = 0;

  uint16_t dispi_index_ = 0;
  std::array<uint16_t, dispi::kCount> dispi_{};
};

// The 8x16 font inside a VGA BIOS image (4096 bytes), found by its shape; empty if none is.
std::vector<uint8_t> find_vga_bios_font(std::span<const uint8_t> rom);

}  // namespace bt86
