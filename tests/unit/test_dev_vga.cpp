// VGA + Bochs VBE (src/devices/vga.h): register files, planar memory logic, text readout,
// rendering and the DISPI interface, driven through ports and the 0xA0000 window as a guest would;
// VRAM and the VGA BIOS as memfd-backed guest memory (PhysMem::backing).
#include <doctest/doctest.h>
#include <sys/mman.h>

#include <unistd.h>

#include <array>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/io_bus.h"
#include "devices/pci.h"
#include "devices/vga.h"
#include "devices/vga_pci.h"
#include "frontend/cli_options.h"
#include "machine/machine.h"
#include "mmu/phys_mem.h"

using namespace bt86;

namespace {

// Standard register sets of BIOS modes 3, 12h and 13h (IBM VGA values).
struct ModeRegs {
  uint8_t misc;
  std::array<uint8_t, 5> seq;
  std::array<uint8_t, 25> crtc;
  std::array<uint8_t, 9> gr;
  std::array<uint8_t, 21> attr;
};
constexpr ModeRegs kMode3 = {
    0x67, {0x03, 0x00, 0x03, 0x00, 0x02},
    {0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00,
     0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF},
    {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E,
     0x3F, 0x0C, 0x00, 0x0F, 0x08, 0x00}};
constexpr ModeRegs kMode12 = {
    0xE3, {0x03, 0x01, 0x0F, 0x00, 0x06},
    {0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0xEA, 0x8C, 0xDF, 0x28, 0x00, 0xE7, 0x04, 0xE3, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0F, 0xFF},
    {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E,
     0x3F, 0x01, 0x00, 0x0F, 0x00, 0x00}};
constexpr ModeRegs kMode13 = {
    0x63, {0x03, 0x01, 0x0F, 0x00, 0x0E},
    {0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF},
    {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
     0x0F, 0x41, 0x00, 0x0F, 0x00, 0x00}};

constexpr ModeRegs kMode4 = {
    0x63, {0x03, 0x09, 0x03, 0x00, 0x02},
    {0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xA2, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0F, 0x00, 0xFF},
    {0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
     0x17, 0x01, 0x00, 0x03, 0x00, 0x00}};
constexpr ModeRegs kMode6 = {
    0x63, {0x03, 0x01, 0x01, 0x00, 0x06},
    {0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x00, 0x96, 0xB9, 0xC2, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x00, 0xFF},
    {0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17,
     0x17, 0x01, 0x00, 0x01, 0x00, 0x00}};

// RGB of EGA palette entry i (the 64 colours load_ega_dac() puts in the DAC).
uint32_t ega_rgb(unsigned i) {
  auto level = [](unsigned lo, unsigned hi) { return lo * 0xAA + hi * 0x55; };
  return level(i >> 2 & 1, i >> 5 & 1) << 16 | level(i >> 1 & 1, i >> 4 & 1) << 8 |
         level(i & 1, i >> 3 & 1);
}

struct VgaRig {
  IoBus io;
  PhysMem mem{1u << 20};
  Vga vga;
  VgaRig() { vga.attach(io, mem); }

  // The linear framebuffer is VRAM itself (the PCI function maps it: see the PCI tests below).
  void lfb_write(uint32_t at, uint32_t v, unsigned size) { std::memcpy(vga.vram() + at, &v, size); }
  uint32_t lfb_read(uint32_t at, unsigned size) const {
    uint32_t v = 0;
    std::memcpy(&v, vga.vram() + at, size);
    return v;
  }

  void out(uint16_t port, uint8_t v) { io.out(port, v, 1); }
  uint8_t in(uint16_t port) { return uint8_t(io.in(port, 1)); }
  void seq(uint8_t i, uint8_t v) { io.out(0x3C4, uint32_t(v) << 8 | i, 2); }
  void gr(uint8_t i, uint8_t v) { io.out(0x3CE, uint32_t(v) << 8 | i, 2); }
  void crtc(uint8_t i, uint8_t v) { io.out(0x3D4, uint32_t(v) << 8 | i, 2); }
  void attr(uint8_t i, uint8_t v) {
    in(0x3DA);
    out(0x3C0, i);
    out(0x3C0, v);
  }
  void dac(uint8_t index, uint8_t r, uint8_t g, uint8_t b) {
    out(0x3C8, index);
    out(0x3C9, r);
    out(0x3C9, g);
    out(0x3C9, b);
  }
  void dispi(uint16_t index, uint16_t v) {
    io.out(dispi::kIndexPort, index, 2);
    io.out(dispi::kDataPort, v, 2);
  }
  uint16_t dispi(uint16_t index) {
    io.out(dispi::kIndexPort, index, 2);
    return uint16_t(io.in(dispi::kDataPort, 2));
  }
  void set_mode(const ModeRegs& m) {
    out(0x3C2, m.misc);
    for (uint8_t i = 0; i < m.seq.size(); ++i) seq(i, m.seq[i]);
    crtc(0x11, 0);  // unprotect CR0-CR7
    for (uint8_t i = 0; i < m.crtc.size(); ++i) crtc(i, m.crtc[i]);
    for (uint8_t i = 0; i < m.gr.size(); ++i) gr(i, m.gr[i]);
    for (uint8_t i = 0; i < m.attr.size(); ++i) attr(i, m.attr[i]);
    in(0x3DA);
    out(0x3C0, 0x20);  // palette address source: display on
  }
  uint8_t peek(uint32_t a) { return uint8_t(mem.read(a, 1)); }
  void poke(uint32_t a, uint8_t v) { mem.write(a, v, 1); }
  // Plane p byte at plane offset o (the documented VRAM layout).
  uint8_t plane(unsigned p, uint32_t o) const { return vga.vram()[o * 4 + p]; }
  // The standard EGA palette in DAC entries 0-63 (6-bit components).
  void load_ega_dac() {
    for (unsigned i = 0; i < 64; ++i) {
      const uint8_t r = uint8_t(((i >> 2) & 1) * 0x2A + ((i >> 5) & 1) * 0x15);
      const uint8_t g = uint8_t(((i >> 1) & 1) * 0x2A + ((i >> 4) & 1) * 0x15);
      const uint8_t b = uint8_t((i & 1) * 0x2A + ((i >> 3) & 1) * 0x15);
      dac(uint8_t(i), r, g, b);
    }
  }
};

}  // namespace

TEST_CASE("VGA attribute controller: index/data flip-flop, reset by reading input status 1") {
  VgaRig r;
  r.out(0x3C2, 0x01);  // colour ports
  r.in(0x3DA);
  r.out(0x3C0, 0x05);  // index
  r.out(0x3C0, 0x2A);  // data
  r.out(0x3C0, 0x26);  // index 6 with PAS
  CHECK(r.in(0x3C0) == 0x26);
  r.out(0x3C0, 0x11);  // data for 6
  r.out(0x3C0, 0x05);  // index again
  CHECK(r.in(0x3C1) == 0x2A);
  r.in(0x3DA);         // reset: the next write is an index even though data was expected
  r.out(0x3C0, 0x06);
  CHECK(r.in(0x3C1) == 0x11);
}

TEST_CASE("VGA DAC: write/read indexes, three auto-incrementing 6-bit components") {
  VgaRig r;
  r.dac(5, 0x3F, 0x01, 0xFF);  // 0xFF keeps its low 6 bits
  r.out(0x3C9, 0x10);          // index 6 now
  r.out(0x3C9, 0x20);
  r.out(0x3C9, 0x30);
  CHECK(r.in(0x3C8) == 7);
  CHECK(r.in(0x3C7) == 0x00);  // DAC state: write mode
  r.out(0x3C7, 5);
  CHECK(r.in(0x3C7) == 0x03);  // read mode
  const uint8_t expect[] = {0x3F, 0x01, 0x3F, 0x10, 0x20, 0x30};
  for (uint8_t e : expect) CHECK(r.in(0x3C9) == e);
}

TEST_CASE("VGA CRTC: CR11 bit 7 protects CR0-CR7 except the line compare bit") {
  VgaRig r;
  r.out(0x3C2, 0x01);
  r.crtc(0x00, 0x5F);
  r.crtc(0x07, 0x00);
  r.crtc(0x11, 0x80);
  r.crtc(0x00, 0x12);
  r.crtc(0x07, 0xFF);
  r.crtc(0x08, 0x34);  // not protected
  auto read_crtc = [&](uint8_t i) { r.out(0x3D4, i); return r.in(0x3D5); };
  CHECK(read_crtc(0x00) == 0x5F);
  CHECK(read_crtc(0x07) == 0x10);
  CHECK(read_crtc(0x08) == 0x34);
  r.crtc(0x11, 0x00);
  r.crtc(0x00, 0x12);
  CHECK(read_crtc(0x00) == 0x12);
}

TEST_CASE("VGA misc output bit 0 selects the colour or mono CRTC ports") {
  VgaRig r;
  r.out(0x3C2, 0x01);
  r.crtc(0x0C, 0xAB);
  CHECK(r.in(0x3CC) == 0x01);
  r.out(0x3B4, 0x0C);  // mono ports absent in colour mode
  CHECK(r.in(0x3B5) == 0xFF);
  r.out(0x3C2, 0x00);
  r.out(0x3B4, 0x0C);
  CHECK(r.in(0x3B5) == 0xAB);
  CHECK(r.in(0x3D5) == 0xFF);
}

TEST_CASE("VGA input status 1: display-enable and retrace bits change over time") {
  VgaRig r;
  r.out(0x3C2, 0x01);
  bool seen_retrace = false, seen_no_retrace = false, seen_blank = false, seen_display = false;
  for (int i = 0; i < 8; ++i) {
    const uint8_t s = r.in(0x3DA);
    (s & 0x08 ? seen_retrace : seen_no_retrace) = true;
    (s & 0x01 ? seen_blank : seen_display) = true;
  }
  CHECK(seen_retrace);
  CHECK(seen_no_retrace);
  CHECK(seen_blank);
  CHECK(seen_display);
}

TEST_CASE("VGA input status 1 follows virtual time: a retrace wait loop ends") {
  VirtualClock clock;
  IoBus io;
  PhysMem mem(1u << 20);
  Vga vga(&clock);
  vga.attach(io, mem);
  io.out(0x3C2, 0x01, 1);
  int polls = 0;
  while (!(io.in(0x3DA, 1) & 0x08) && polls < 100'000'000) ++polls;  // wait for retrace
  CHECK(polls < 100'000'000);
  while ((io.in(0x3DA, 1) & 0x08) && polls < 200'000'000) ++polls;   // wait for its end
  CHECK(polls < 200'000'000);
}

TEST_CASE("VGA planar write mode 0: map mask, set/reset, rotation, function and bit mask") {
  VgaRig r;
  r.set_mode(kMode12);
  r.poke(0xA0000, 0xA5);  // all planes, plain write
  for (unsigned p = 0; p < 4; ++p) CHECK(r.plane(p, 0) == 0xA5);
  r.seq(2, 0x05);         // map mask: planes 0 and 2 only
  r.poke(0xA0001, 0x3C);
  CHECK(r.plane(0, 1) == 0x3C);
  CHECK(r.plane(1, 1) == 0x00);
  CHECK(r.plane(2, 1) == 0x3C);
  r.seq(2, 0x0F);
  r.gr(1, 0x03);          // enable set/reset for planes 0, 1
  r.gr(0, 0x01);          // plane 0 set, plane 1 reset
  r.poke(0xA0002, 0x0F);
  CHECK(r.plane(0, 2) == 0xFF);
  CHECK(r.plane(1, 2) == 0x00);
  CHECK(r.plane(2, 2) == 0x0F);
  CHECK(r.plane(3, 2) == 0x0F);
  r.gr(1, 0x00);
  r.gr(3, 0x02);          // rotate right by 2, function: replace
  r.poke(0xA0003, 0x01);
  CHECK(r.plane(0, 3) == 0x40);
  // Function XOR with the latches, under a bit mask: read loads latches (0xA5 at offset 0).
  r.gr(3, 0x18);
  r.gr(8, 0x0F);
  r.peek(0xA0000);
  r.poke(0xA0000, 0xFF);
  for (unsigned p = 0; p < 4; ++p) CHECK(r.plane(p, 0) == 0xAA);  // high nibble latch 0xA, low 0x5^0xF
  r.gr(3, 0x08);          // AND
  r.gr(8, 0xFF);
  r.peek(0xA0000);
  r.poke(0xA0000, 0x0F);
  CHECK(r.plane(0, 0) == 0x0A);
}

TEST_CASE("VGA planar write modes 1, 2 and 3") {
  VgaRig r;
  r.set_mode(kMode12);
  // Mode 1 copies the latches: copy offset 0 (four different plane bytes) to offset 10.
  r.seq(2, 0x01); r.poke(0xA0000, 0x11);
  r.seq(2, 0x02); r.poke(0xA0000, 0x22);
  r.seq(2, 0x04); r.poke(0xA0000, 0x44);
  r.seq(2, 0x08); r.poke(0xA0000, 0x88);
  r.seq(2, 0x0F);
  r.gr(5, 0x01);
  r.peek(0xA0000);
  r.poke(0xA000A, 0x00);
  CHECK(r.plane(0, 10) == 0x11);
  CHECK(r.plane(1, 10) == 0x22);
  CHECK(r.plane(2, 10) == 0x44);
  CHECK(r.plane(3, 10) == 0x88);
  // Mode 2: the CPU byte's low nibble is a colour spread over the bit mask.
  r.gr(5, 0x02);
  r.gr(8, 0x81);
  r.peek(0xA0014);  // latches: zero
  r.poke(0xA0014, 0x05);
  CHECK(r.plane(0, 20) == 0x81);
  CHECK(r.plane(1, 20) == 0x00);
  CHECK(r.plane(2, 20) == 0x81);
  CHECK(r.plane(3, 20) == 0x00);
  // Mode 3: set/reset colour, masked by (rotated CPU byte AND bit mask).
  r.gr(5, 0x03);
  r.gr(8, 0xF0);
  r.gr(0, 0x0A);
  r.gr(3, 0x04);  // rotate right 4
  r.peek(0xA001E);
  r.poke(0xA001E, 0x3C);  // rotated 0xC3, & 0xF0 = 0xC0
  CHECK(r.plane(0, 30) == 0x00);
  CHECK(r.plane(1, 30) == 0xC0);
  CHECK(r.plane(2, 30) == 0x00);
  CHECK(r.plane(3, 30) == 0xC0);
}

TEST_CASE("VGA read modes 0 and 1") {
  VgaRig r;
  r.set_mode(kMode12);
  r.seq(2, 0x01); r.poke(0xA0100, 0xF0);
  r.seq(2, 0x02); r.poke(0xA0100, 0xCC);
  r.seq(2, 0x04); r.poke(0xA0100, 0xAA);
  r.seq(2, 0x08); r.poke(0xA0100, 0x0F);
  for (uint8_t p = 0; p < 4; ++p) {
    r.gr(4, p);
    CHECK(r.peek(0xA0100) == (uint8_t[]){0xF0, 0xCC, 0xAA, 0x0F}[p]);
  }
  // Read mode 1: which pixels have colour 0b0011 (planes 0,1 set, 2,3 clear)?
  r.gr(5, 0x08);
  r.gr(2, 0x03);
  r.gr(7, 0x0F);
  // pixel bits: p0 F0, p1 CC, p2 AA, p3 0F -> colour 3 where p0&p1&~p2&~p3: 0xF0&0xCC&0x55&0xF0 = 0x40
  CHECK(r.peek(0xA0100) == 0x40);
  r.gr(7, 0x03);  // ignore planes 2 and 3
  CHECK(r.peek(0xA0100) == 0xC0);
}

TEST_CASE("VGA chain-4 (mode 13h): byte a goes to plane a&3, offset a>>2, and renders") {
  VgaRig r;
  r.set_mode(kMode13);
  r.dac(7, 0x3F, 0x00, 0x00);
  r.dac(9, 0x00, 0x3F, 0x00);
  r.poke(0xA0000 + 5, 7);
  r.poke(0xA0000 + 320 * 2 + 3, 9);
  CHECK(r.plane(1, 1) == 7);
  CHECK(r.plane(3, 160) == 9);
  CHECK(r.peek(0xA0005) == 7);
  const VgaFrame f = r.vga.render();
  REQUIRE(f.width == 320);
  REQUIRE(f.height == 200);
  CHECK(f.at(5, 0) == 0xFF0000);
  CHECK(f.at(3, 2) == 0x00FF00);
  CHECK(f.at(0, 0) == 0x000000);
}

TEST_CASE("VGA odd/even text memory: characters in plane 0, attributes in plane 1") {
  VgaRig r;
  r.set_mode(kMode3);
  r.poke(0xB8000, 'H');
  r.poke(0xB8001, 0x1F);
  r.poke(0xB8002, 'i');
  CHECK(r.plane(0, 0) == 'H');
  CHECK(r.plane(1, 0) == 0x1F);
  CHECK(r.plane(0, 2) == 'i');
  CHECK(r.plane(2, 0) == 0);  // map mask 3: font plane untouched
  CHECK(r.peek(0xB8000) == 'H');
  CHECK(r.peek(0xB8001) == 0x1F);
  CHECK(r.peek(0xA0000) == 0xFF);  // outside the B8000 memory map
}

TEST_CASE("VGA text readout of mode 3: characters, attributes, start address and cursor") {
  VgaRig r;
  r.set_mode(kMode3);
  const char* msg = "SeaBIOS";
  for (unsigned i = 0; msg[i]; ++i) {
    r.poke(0xB8000 + 2 * (80 * 2 + 10 + i), uint8_t(msg[i]));
    r.poke(0xB8000 + 2 * (80 * 2 + 10 + i) + 1, 0x07);
  }
  r.crtc(0x0E, 0x00);
  r.crtc(0x0F, 80 * 3 + 4);
  VgaTextScreen s = r.vga.text_screen();
  REQUIRE(s.cols == 80);
  REQUIRE(s.rows == 25);
  CHECK(s.row_text(2) == "          SeaBIOS");
  CHECK(s.attr_at(10, 2) == 0x07);
  CHECK(s.cursor_visible);
  CHECK(s.cursor_row == 3);
  CHECK(s.cursor_col == 4);
  r.crtc(0x0D, 80);  // start address: one row down
  s = r.vga.text_screen();
  CHECK(s.row_text(1) == "          SeaBIOS");
  CHECK(s.cursor_row == 2);
}

TEST_CASE("VGA text rendering uses the font in plane 2 and the attribute palette") {
  VgaRig r;
  r.set_mode(kMode3);
  r.load_ega_dac();
  // Load a glyph for 'A' into plane 2 as the BIOS does: planar access, map mask 4.
  r.seq(2, 0x04);
  r.seq(4, 0x06);
  r.gr(5, 0x00);
  r.gr(6, 0x04);  // A0000, 64 KiB
  for (unsigned y = 0; y < 16; ++y) r.poke(0xA0000 + 'A' * 32 + y, y == 3 ? 0x81 : 0x00);
  r.set_mode(kMode3);
  r.poke(0xB8000, 'A');
  r.poke(0xB8001, 0x1E);  // yellow on blue
  const VgaFrame f = r.vga.render();
  REQUIRE(f.width == 720);
  REQUIRE(f.height == 400);
  CHECK(f.at(0, 3) == 0xFFFF55);  // yellow: EGA colour 14 -> DAC 0x3E
  CHECK(f.at(7, 3) == 0xFFFF55);
  CHECK(f.at(1, 3) == 0x0000AA);  // blue background
  CHECK(f.at(8, 3) == 0x0000AA);  // 9th column: background for non-line-graphics characters
  CHECK(f.at(0, 4) == 0x0000AA);
}

TEST_CASE("VGA planar 16-colour rendering (mode 12h)") {
  VgaRig r;
  r.set_mode(kMode12);
  r.load_ega_dac();
  r.gr(5, 0x02);  // write mode 2: colour 12 (light red) in the leftmost pixel of row 1
  r.gr(8, 0x80);
  r.peek(0xA0000 + 80);
  r.poke(0xA0000 + 80, 12);
  const VgaFrame f = r.vga.render();
  REQUIRE(f.width == 640);
  REQUIRE(f.height == 480);
  CHECK(f.at(0, 1) == 0xFF5555);
  CHECK(f.at(1, 1) == 0x000000);
}

TEST_CASE("VGA CGA-compatible modes 4 and 6: two scan-line banks, 2- and 1-bit pixels") {
  VgaRig r;
  r.set_mode(kMode4);
  r.load_ega_dac();
  // Line 3 is the second (odd) bank's line 1: CPU offset 0x2000 + 80; pixels 8-11 are byte 2.
  r.poke(0xB8000 + 0x2000 + 80 + 2, 0xE4);  // pixel values 3, 2, 1, 0
  r.poke(0xB8000 + 80 + 3, 0x40);           // line 2, pixel 12: value 1
  VgaFrame f = r.vga.render();
  REQUIRE(f.width == 320);
  REQUIRE(f.height == 200);
  CHECK(f.at(8, 3) == ega_rgb(0x17));
  CHECK(f.at(9, 3) == ega_rgb(0x15));
  CHECK(f.at(10, 3) == ega_rgb(0x13));
  CHECK(f.at(11, 3) == ega_rgb(0x00));
  CHECK(f.at(12, 2) == ega_rgb(0x13));
  CHECK(f.at(12, 3) == ega_rgb(0x00));

  r.set_mode(kMode6);
  r.poke(0xB8000 + 0x2000 + 80 * 4 + 1, 0x81);  // line 9: pixels 8 and 15
  f = r.vga.render();
  REQUIRE(f.width == 640);
  REQUIRE(f.height == 200);
  CHECK(f.at(8, 9) == ega_rgb(0x17));
  CHECK(f.at(15, 9) == ega_rgb(0x17));
  CHECK(f.at(9, 9) == ega_rgb(0x00));
  CHECK(f.at(8, 8) == ega_rgb(0x00));
}

TEST_CASE("Bochs VBE DISPI: ID, capabilities, memory size, enable") {
  VgaRig r;
  CHECK(r.dispi(dispi::kId) == dispi::kId5);
  r.dispi(dispi::kId, dispi::kId0);
  CHECK(r.dispi(dispi::kId) == dispi::kId0);
  r.dispi(dispi::kId, 0x1234);  // not an ID: ignored
  CHECK(r.dispi(dispi::kId) == dispi::kId0);
  CHECK(r.dispi(dispi::kVideoMemory64K) == 256);
  r.dispi(dispi::kEnable, dispi::kGetCaps);
  CHECK(r.dispi(dispi::kXres) == dispi::kMaxXres);
  CHECK(r.dispi(dispi::kBpp) == 32);
  r.dispi(dispi::kEnable, 0);
  r.dispi(dispi::kXres, 800);
  r.dispi(dispi::kYres, 600);
  r.dispi(dispi::kBpp, 16);
  CHECK(r.dispi(dispi::kXres) == 800);
  CHECK_FALSE(r.vga.vbe_enabled());
  r.dispi(dispi::kEnable, dispi::kEnabled | dispi::kLfbEnabled);
  CHECK(r.vga.vbe_enabled());
  CHECK(r.dispi(dispi::kEnable) == (dispi::kEnabled | dispi::kLfbEnabled));
  CHECK(r.dispi(dispi::kVirtWidth) == 800);
  CHECK(r.dispi(dispi::kVirtHeight) == (16u << 20) / 1600);
  CHECK_FALSE(r.vga.text_mode());
}

// An enabled VBE mode with XRES and/or YRES 0 (the DISPI registers accept 0) has no picture: the
// frame is 0x0 and empty, and neither render() nor the window's incremental update_view() may
// index into it (UBSan once caught a reference to a null pointer there).
TEST_CASE("Bochs VBE: an enabled mode with XRES or YRES 0 renders an empty 0x0 frame") {
  struct Size { uint16_t x, y; };
  for (const Size size : {Size{0, 0}, Size{0, 480}, Size{640, 0}}) {
    for (const uint16_t bpp : {uint16_t(32), uint16_t(16), uint16_t(8), uint16_t(4)}) {
      CAPTURE(size.x);
      CAPTURE(size.y);
      CAPTURE(bpp);
      VgaRig r;
      VgaView view;
      r.dispi(dispi::kXres, 640);  // a 640x480 picture first
      r.dispi(dispi::kYres, 480);
      r.dispi(dispi::kBpp, 32);
      r.dispi(dispi::kEnable, dispi::kEnabled | dispi::kLfbEnabled);
      CHECK(r.vga.update_view(view).end == 480);
      r.dispi(dispi::kEnable, 0);
      r.dispi(dispi::kXres, size.x);
      r.dispi(dispi::kYres, size.y);
      r.dispi(dispi::kBpp, bpp);
      r.dispi(dispi::kEnable, dispi::kEnabled | dispi::kLfbEnabled);
      REQUIRE(r.dispi(dispi::kXres) == size.x);
      REQUIRE(r.dispi(dispi::kYres) == size.y);
      const VgaFrame f = r.vga.render();
      CHECK(f.width == 0);
      CHECK(f.height == 0);
      CHECK(f.pixels.empty());
      CHECK(r.vga.update_view(view).empty());  // the mode change: nothing left to draw
      CHECK(view.frame.width == 0);
      CHECK(view.frame.height == 0);
      r.poke(0xA0000, 0xFF);  // stores into video memory (dirty pages): still nothing to draw
      r.poke(0xA0000 + 3 * 4096, 0xFF);
      CHECK(r.vga.update_view(view).empty());
      CHECK(r.vga.render().pixels.empty());
    }
  }
}

TEST_CASE("Bochs VBE: LFB writes appear in the rendered frame at 32, 24, 16, 15 and 8 bpp") {
  VgaRig r;
  struct Case { uint16_t bpp; uint32_t pixel; unsigned bytes; uint32_t rgb; };
  const Case cases[] = {
      {32, 0x00123456, 4, 0x123456},
      {24, 0x00ABCDEF, 3, 0xABCDEF},
      {16, 0xF800, 2, 0xFF0000},
      {15, 0x03E0, 2, 0x00FF00},
  };
  for (const Case& c : cases) {
    CAPTURE(c.bpp);
    r.dispi(dispi::kEnable, 0);
    r.dispi(dispi::kXres, 640);
    r.dispi(dispi::kYres, 480);
    r.dispi(dispi::kBpp, c.bpp);
    r.dispi(dispi::kEnable, dispi::kEnabled | dispi::kLfbEnabled);
    const uint32_t at = (7 * 640 + 5) * c.bytes;
    if (c.bytes == 3) {
      r.lfb_write(at, c.pixel & 0xFFFF, 2);
      r.lfb_write(at + 2, c.pixel >> 16, 1);
    } else {
      r.lfb_write(at, c.pixel, c.bytes);
    }
    CHECK(r.lfb_read(at, 1) == (c.pixel & 0xFF));
    const VgaFrame f = r.vga.render();
    REQUIRE(f.width == 640);
    REQUIRE(f.height == 480);
    CHECK(f.at(5, 7) == c.rgb);
    CHECK(f.at(6, 7) == 0);  // enabling cleared the frame
  }
  // 8 bpp through the DAC, with the 8-bit DAC option.
  r.dispi(dispi::kEnable, 0);
  r.dispi(dispi::kBpp, 8);
  r.dispi(dispi::kEnable, dispi::kEnabled | dispi::kLfbEnabled | dispi::k8BitDac);
  r.dac(200, 0x80, 0x40, 0xFF);
  r.lfb_write(640 + 1, 200, 1);
  CHECK(r.vga.render().at(1, 1) == 0x8040FF);
}

TEST_CASE("Bochs VBE: banked access through 0xA0000, panning and no-clear") {
  VgaRig r;
  r.dispi(dispi::kXres, 1024);
  r.dispi(dispi::kYres, 768);
  r.dispi(dispi::kBpp, 32);
  r.dispi(dispi::kEnable, dispi::kEnabled);
  r.dispi(dispi::kBank, 3);
  r.mem.write(0xA0010, 0x00FEDCBA, 4);
  CHECK(r.lfb_read(3 * 0x10000 + 0x10, 4) == 0x00FEDCBA);
  CHECK(r.mem.read(0xA0010, 4) == 0x00FEDCBA);
  const unsigned pixel = (3 * 0x10000 + 0x10) / 4;
  CHECK(r.vga.render().at(pixel % 1024, pixel / 1024) == 0xFEDCBA);
  r.dispi(dispi::kYOffset, 1);  // pan down one line
  CHECK(r.vga.render().at(pixel % 1024, pixel / 1024 - 1) == 0xFEDCBA);
  r.dispi(dispi::kEnable, 0);
  r.dispi(dispi::kEnable, dispi::kEnabled | dispi::kNoClearMem);
  CHECK(r.lfb_read(3 * 0x10000 + 0x10, 4) == 0x00FEDCBA);
  r.dispi(dispi::kEnable, 0);
  r.dispi(dispi::kEnable, dispi::kEnabled);
  CHECK(r.lfb_read(3 * 0x10000 + 0x10, 4) == 0);
}

TEST_CASE("Bochs VBE 4 bpp: planar memory, the bank moves the window past 64 KiB per plane") {
  VgaRig r;
  r.set_mode(kMode12);  // planar VGA setup: map mask 0xF, A0000 64 KiB window
  r.load_ega_dac();
  r.dispi(dispi::kXres, 1024);
  r.dispi(dispi::kYres, 768);
  r.dispi(dispi::kBpp, 4);
  r.dispi(dispi::kEnable, dispi::kEnabled);
  r.gr(5, 0x02);  // write mode 2, leftmost pixel only
  r.gr(8, 0x80);
  r.dispi(dispi::kBank, 1);
  r.peek(0xA0000);
  r.poke(0xA0000, 9);  // plane offset 64 Ki = line 512 (128 bytes per plane line)
  CHECK(r.plane(0, 0x10000) == 0x80);
  CHECK(r.plane(3, 0x10000) == 0x80);
  CHECK(r.plane(0, 0) == 0x00);
  const VgaFrame f = r.vga.render();
  REQUIRE(f.width == 1024);
  REQUIRE(f.height == 768);
  CHECK(f.at(0, 512) == 0x5555FF);  // EGA colour 9: light blue
  CHECK(f.at(1, 512) == 0x000000);
}

TEST_CASE("VGA reset returns the registers to power-on state") {
  VgaRig r;
  r.set_mode(kMode3);
  r.dispi(dispi::kXres, 640);
  r.dispi(dispi::kBpp, 8);
  r.dispi(dispi::kEnable, dispi::kEnabled);
  r.vga.reset();
  CHECK_FALSE(r.vga.vbe_enabled());
  CHECK(r.in(0x3CC) == 0x00);
  CHECK(r.dispi(dispi::kId) == dispi::kId5);
}

TEST_CASE("VGA PCI function: ids, BAR0 = 16 MiB prefetchable LFB, ROM BAR = the VGA BIOS") {
  IoBus io;
  PhysMem mem(1u << 20);
  PciBus bus(io, mem);
  Vga vga;
  vga.attach(io, mem);
  std::vector<uint8_t> rom(39936, 0);
  rom[0] = 0x55, rom[1] = 0xAA, rom[2] = 39936 / 512, rom[100] = 0x42;
  VgaPci fn(vga, rom);
  bus.attach(PciBus::devfn(2, 0), &fn);
  auto select = [&](unsigned reg) { io.out(0xCF8, 0x80000000u | 2u << 11 | reg, 4); };
  auto cfg_read = [&](unsigned reg) { select(reg); return io.in(0xCFC, 4); };
  auto cfg_write = [&](unsigned reg, uint32_t v) { select(reg); io.out(0xCFC, v, 4); };

  CHECK(cfg_read(0x00) == 0x11111234u);
  CHECK((cfg_read(0x08) >> 8) == 0x030000u);    // class: VGA-compatible display
  CHECK(cfg_read(0x10) == 0x00000008u);         // memory, 32-bit, prefetchable
  cfg_write(0x10, 0xFFFFFFFFu);
  CHECK(cfg_read(0x10) == 0xFF000008u);         // 16 MiB
  cfg_write(0x30, 0xFFFFFFFEu);
  CHECK(cfg_read(0x30) == 0xFFFF0000u);         // 39936 bytes round up to 64 KiB
  cfg_write(0x10, 0xFD000000u);
  cfg_write(0x30, 0xFEB00001u);
  cfg_write(0x04, 0x0003);                      // I/O + memory decoding
  CHECK(fn.bar_address(0) == 0xFD000000u);
  // ROM contents appear at the ROM BAR.
  CHECK(mem.read(0xFEB00000u, 2) == 0xAA55);
  CHECK(mem.read(0xFEB00000u + 100, 1) == 0x42);
  // The LFB BAR is VRAM: writes there show in a VBE mode's frame.
  io.out(dispi::kIndexPort, dispi::kXres, 2); io.out(dispi::kDataPort, 320, 2);
  io.out(dispi::kIndexPort, dispi::kYres, 2); io.out(dispi::kDataPort, 200, 2);
  io.out(dispi::kIndexPort, dispi::kBpp, 2); io.out(dispi::kDataPort, 32, 2);
  io.out(dispi::kIndexPort, dispi::kEnable, 2);
  io.out(dispi::kDataPort, dispi::kEnabled | dispi::kLfbEnabled, 2);
  mem.write(0xFD000000u + (10 * 320 + 20) * 4, 0x00C0FFEE, 4);
  CHECK(vga.vram()[(10 * 320 + 20) * 4] == 0xEE);
  CHECK(mem.read(0xFD000000u + (10 * 320 + 20) * 4, 4) == 0x00C0FFEEu);
  CHECK(vga.render().at(20, 10) == 0xC0FFEE);
}

TEST_CASE("VGA memory is in the PhysMem memfd: VRAM behind the LFB BAR, the VGA BIOS behind the ROM BAR") {
  IoBus io;
  PhysMem mem(1u << 20);
  PciBus bus(io, mem);
  Vga detached;
  CHECK(detached.vram() == nullptr);  // no VRAM before attach()
  CHECK_THROWS_AS(detached.render(), std::logic_error);
  CHECK_THROWS_AS(VgaPci(detached, {}), std::logic_error);
  Vga vga;
  vga.attach(io, mem);
  CHECK_THROWS_AS(vga.attach(io, mem), std::logic_error);
  std::vector<uint8_t> rom(0x8000, 0x11);
  rom[0] = 0x55, rom[1] = 0xAA, rom[2] = 0x40;
  VgaPci fn(vga, rom);
  bus.attach(PciBus::devfn(2, 0), &fn);
  fn.enable_as_firmware_would();
  auto cfg_write = [&](unsigned reg, uint32_t v) {
    io.out(0xCF8, 0x80000000u | 2u << 11 | reg, 4);
    io.out(0xCFC, v, 4);
  };

  // The LFB page 5: device RAM whose bytes are VRAM's, the same memory as the test's mapping.
  const uint32_t lfb = VgaPci::kFirmwareLfbAddress;
  const PhysMem::Backing b = mem.backing(lfb + 5 * 4096);
  CHECK(b.kind == PhysMem::Backing::Kind::DeviceRam);
  CHECK(b.fd == mem.memfd());
  CHECK(b.host == vga.vram() + 5 * 4096);
  void* m = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, off_t(b.offset));
  REQUIRE(m != MAP_FAILED);
  auto* view = static_cast<uint8_t*>(m);
  mem.write(lfb + 5 * 4096 + 8, 0x00ABCDEF, 4);  // a guest store to the framebuffer
  CHECK(view[8] == 0xEF);
  CHECK(vga.vram()[5 * 4096 + 8] == 0xEF);
  view[12] = 0x42;  // and the other way round
  CHECK(vga.vram()[5 * 4096 + 12] == 0x42);
  CHECK(mem.read(lfb + 5 * 4096 + 12, 1) == 0x42);
  munmap(m, 4096);

  // The ROM BAR: the image once in the memfd, the same bytes wherever the BAR is moved.
  cfg_write(0x30, 0xFEB00001u);
  const PhysMem::Backing r1 = mem.backing(0xFEB00000u);
  CHECK(r1.kind == PhysMem::Backing::Kind::Rom);
  CHECK(r1.fd == mem.memfd());
  cfg_write(0x30, 0xFEA00001u);
  CHECK(mem.backing(0xFEB00000u).kind == PhysMem::Backing::Kind::None);
  const PhysMem::Backing r2 = mem.backing(0xFEA00000u);
  CHECK(r2.offset == r1.offset);
  CHECK(mem.read(0xFEA00000u, 4) == 0x1140AA55u);
}

TEST_CASE("-vga and -vga-bios options") {
  CHECK(parse_cli({}).machine.vga == "std");
  CHECK(parse_cli({}).machine.vga_bios_path == kDefaultVgaBiosPath);
  CHECK(parse_cli({"-vga", "none"}).machine.vga == "none");
  CHECK(parse_cli({"-vga-bios", "/x/y.bin"}).machine.vga_bios_path == "/x/y.bin");
  CHECK_THROWS_AS(parse_cli({"-vga", "cirrus"}), CliError);
}

TEST_CASE("Machine: -vga std adds the VGA (ports, DISPI), -vga none leaves it out") {
  MachineOptions opt;
  opt.bios_image.assign(0x10000, 0xF4);
  opt.debugcon = "none";
  std::vector<uint8_t> vga_bios(0x8000, 0);
  vga_bios[0] = 0x55, vga_bios[1] = 0xAA, vga_bios[2] = 0x40;
  const std::string path = "/tmp/bt86_test_vgabios_" + std::to_string(::getpid());
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f);
    std::fwrite(vga_bios.data(), 1, vga_bios.size(), f);
    std::fclose(f);
  }
  opt.vga_bios_path = path;
  {
    Machine m(opt);
    REQUIRE(m.vga() != nullptr);
    m.io().out(dispi::kIndexPort, dispi::kId, 2);
    CHECK(m.io().in(dispi::kDataPort, 2) == dispi::kId5);
  }
  opt.vga = "none";
  {
    Machine m(opt);
    CHECK(m.vga() == nullptr);
  }
  std::remove(path.c_str());
  opt.vga = "std";
  opt.vga_bios_path = path + ".missing";
  CHECK_THROWS_WITH_AS(Machine{opt}, doctest::Contains(".missing"), std::runtime_error);
  opt.vga = "none";  // the VGA BIOS is not needed without a VGA
  CHECK_NOTHROW(Machine{opt});
}

namespace {
// Ends the run as soon as the text screen's first row starts with `text` (polled every
// Machine::kPollNs of host time), instead of waiting out a fixed time.
struct QuitOnScreenText : Frontend {
  std::string text;
  explicit QuitOnScreenText(std::string t) : text(std::move(t)) {}
  void poll(Machine& m) override {
    if (m.vga() && m.vga()->text_screen().rows > 0 && m.vga()->text_screen().row_text(0).rfind(text, 0) == 0)
      m.request_quit("banner seen");
  }
};
}  // namespace

TEST_CASE("SeaBIOS runs the VGA BIOS from the ROM BAR: its banner is on the text screen") {
  MachineOptions opt;  // Debian's SeaBIOS and SeaVGABIOS (scripts/setup.sh installs them)
  opt.debugcon = "none";
  opt.timeout_s = 20;  // POST takes well under a second
  Machine m(opt);
  QuitOnScreenText banner("SeaBIOS (version");
  m.add_frontend(&banner);
  CHECK(m.run() == exit_code::kEndedOnRequest);
  REQUIRE(m.vga() != nullptr);
  const VgaTextScreen s = m.vga()->text_screen();
  REQUIRE(s.cols == 80);
  REQUIRE(s.rows == 25);
  CHECK(s.row_text(0).rfind("SeaBIOS (version", 0) == 0);
  const VgaFrame f = m.vga()->render();
  CHECK(f.width == 720);
  CHECK(f.height == 400);
  unsigned lit = 0;  // the banner's glyphs (from the VGA BIOS font) light pixels in its row
  for (unsigned y = 0; y < 16; ++y)
    for (unsigned x = 0; x < f.width; ++x) lit += f.at(x, y) != 0;
  CHECK(lit > 100);
}
