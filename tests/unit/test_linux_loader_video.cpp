// The screen of a -kernel boot (machine/linux_video.h): vga= parsing as a boot loader does, the
// choice of text mode 3 or a VESA mode with its warnings, the zero page's screen_info and
// vid_mode for each, and a Machine that sets the mode on its VGA and assigns the VGA's BAR0.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "devices/vga.h"
#include "devices/vga_pci.h"
#include "machine/linux_loader.h"
#include "machine/linux_video.h"
#include "machine/machine.h"

using namespace bt86;

namespace {

template <class T> T get(const std::vector<uint8_t>& v, size_t off) {
  T x;
  std::memcpy(&x, v.data() + off, sizeof x);
  return x;
}
template <class T> void put(std::vector<uint8_t>& v, size_t off, T x) { std::memcpy(v.data() + off, &x, sizeof x); }

// A bzImage with a setup header (vid_mode 0xFFFF, as Linux's SVGA_MODE default) and a 16-byte
// payload of HLTs: enough for the loader, which never runs it here.
std::vector<uint8_t> fake_bzimage() {
  std::vector<uint8_t> img(2 * 512, 0);
  img[0x1F1] = 1;                         // setup_sects
  put<uint16_t>(img, 0x1FA, 0xFFFF);      // vid_mode
  put<uint16_t>(img, 0x1FE, 0xAA55);      // boot_flag
  img[0x200] = 0xEB;
  img[0x201] = 0x66;                      // header ends at 0x268
  std::memcpy(img.data() + 0x202, "HdrS", 4);
  put<uint16_t>(img, 0x206, 0x020F);
  img[0x211] = 0x01;                      // LOADED_HIGH
  put<uint32_t>(img, 0x214, 0x100000);    // code32_start
  put<uint32_t>(img, 0x22C, 0x7FFFFFFF);  // initrd_addr_max
  put<uint32_t>(img, 0x238, 2047);        // cmdline_size
  img.insert(img.end(), 16, 0xF4);
  return img;
}

const LinuxVideoHardware kStdVga{true, true, VgaPci::kFirmwareLfbAddress, Vga::kVramBytes};

// The zero page for `cmdline` on a machine with `hw`.
std::vector<uint8_t> zero_page_for(const std::string& cmdline, const LinuxVideoHardware& hw = kStdVga) {
  LinuxLoader loader(fake_bzimage(), {}, cmdline, 32u << 20);
  loader.set_screen(choose_linux_screen(cmdline, hw).screen);
  return loader.zero_page();
}

struct ScreenInfo {  // the fields of struct screen_info the tests look at, from a zero page
  uint8_t video_mode, cols, lines, is_vga;
  uint16_t ega_bx, points, lfb_width, lfb_height, lfb_depth;
  uint32_t lfb_base, lfb_size;
  uint16_t linelength;
  uint8_t colours[8];  // red size/pos, green size/pos, blue size/pos, rsvd size/pos
  uint16_t vesapm_seg, vesapm_off, pages, vesa_attributes;
  uint32_t capabilities;
  uint16_t vid_mode;
  explicit ScreenInfo(const std::vector<uint8_t>& zp)
      : video_mode(zp[0x06]), cols(zp[0x07]), lines(zp[0x0E]), is_vga(zp[0x0F]), ega_bx(get<uint16_t>(zp, 0x0A)),
        points(get<uint16_t>(zp, 0x10)), lfb_width(get<uint16_t>(zp, 0x12)), lfb_height(get<uint16_t>(zp, 0x14)),
        lfb_depth(get<uint16_t>(zp, 0x16)), lfb_base(get<uint32_t>(zp, 0x18)), lfb_size(get<uint32_t>(zp, 0x1C)),
        linelength(get<uint16_t>(zp, 0x24)), vesapm_seg(get<uint16_t>(zp, 0x2E)), vesapm_off(get<uint16_t>(zp, 0x30)),
        pages(get<uint16_t>(zp, 0x32)), vesa_attributes(get<uint16_t>(zp, 0x34)),
        capabilities(get<uint32_t>(zp, 0x36)), vid_mode(get<uint16_t>(zp, 0x1FA)) {
    std::memcpy(colours, zp.data() + 0x26, 8);
  }
  std::vector<int> colour_layout() const { return {colours, colours + 8}; }
};

void check_text_mode_3(const ScreenInfo& si) {
  CHECK(si.video_mode == 3);
  CHECK(si.cols == 80);
  CHECK(si.lines == 25);
  CHECK(si.ega_bx == 0x0003);
  CHECK(si.points == 16);
}

}  // namespace

TEST_CASE("linux video: vga= is read as a boot loader reads it") {
  CHECK_FALSE(parse_vga_option("console=ttyS0 quiet").present);
  VgaOption o = parse_vga_option("vga=0x317");
  CHECK(o.present);
  CHECK(o.text == "0x317");
  CHECK(o.mode == 0x317);
  CHECK(parse_vga_option("console=ttyS0 vga=791 quiet").mode == 0x317);  // strtoul base 0
  CHECK(parse_vga_option("vga=01427").mode == 0x317);                    // octal, as C
  CHECK(parse_vga_option("vga=0x317 vga=0x311").mode == 0x311);          // the last one wins
  CHECK(parse_vga_option("vga=normal").mode == 0xFFFF);
  CHECK(parse_vga_option("vga=ext").mode == 0xFFFE);
  CHECK(parse_vga_option("vga=ask").mode == 0xFFFD);
  CHECK(parse_vga_option("\tvga=0x317\n").mode == 0x317);
  CHECK_FALSE(parse_vga_option("xvga=0x317 novga=1").present);           // whole words only
  CHECK_FALSE(parse_vga_option("quiet -- vga=0x317").present);           // after --: init's
  o = parse_vga_option("vga=bogus");
  CHECK(o.present);
  CHECK(o.text == "bogus");
  CHECK_FALSE(o.mode.has_value());
  CHECK_FALSE(parse_vga_option("vga=0x10000").mode.has_value());
  CHECK_FALSE(parse_vga_option("vga=0x317x").mode.has_value());
  CHECK_FALSE(parse_vga_option("vga=").mode.has_value());
}

TEST_CASE("linux video: the VESA mode table") {
  CHECK(vesa_modes().size() == 16);
  const VesaMode* m = find_vesa_mode(0x317);
  REQUIRE(m);
  CHECK(m->number == 0x117);
  CHECK(m->width == 1024);
  CHECK(m->height == 768);
  CHECK(m->bpp == 16);
  CHECK(m->line_bytes() == 2048);
  CHECK(find_vesa_mode(0x4317) == m);  // VBE's linear-framebuffer flag
  CHECK(find_vesa_mode(0x117) == nullptr);  // a VESA number without Linux's 0x200
  CHECK(find_vesa_mode(0x302) == nullptr);  // 800x600 16-colour planar
  CHECK(find_vesa_mode(0x31B)->line_bytes() == 1280 * 3);
  CHECK(find_vesa_mode(0x310)->line_bytes() == 640 * 2);
  IoBus io;
  PhysMem mem(1u << 20);
  Vga vga;
  vga.attach(io, mem);
  for (const VesaMode& mode : vesa_modes()) {
    CAPTURE(mode.number);
    CHECK(vga.set_vbe_mode(mode.width, mode.height, mode.bpp));  // every entry is one the VGA can set
    const VgaFrame frame = vga.render();
    CHECK(frame.width == mode.width);
    CHECK(frame.height == mode.height);
  }
}

TEST_CASE("linux video: which screen, and the warnings") {
  LinuxScreenChoice c = choose_linux_screen("console=ttyS0", kStdVga);
  CHECK(c.screen.kind == LinuxScreen::Kind::Text80x25);
  CHECK(c.warning == "");
  for (const char* text : {"vga=normal", "vga=0xF00", "vga=0x0F04", "vga=65535"}) {
    CAPTURE(text);
    c = choose_linux_screen(text, kStdVga);
    CHECK(c.screen.kind == LinuxScreen::Kind::Text80x25);
    CHECK(c.warning == "");
  }
  c = choose_linux_screen("vga=0x4317", kStdVga);
  REQUIRE(c.screen.kind == LinuxScreen::Kind::VesaLfb);
  CHECK(c.screen.mode.number == 0x117);
  CHECK(c.screen.lfb_base == 0xFD000000u);
  CHECK(c.screen.vram_bytes == 16u << 20);
  CHECK(c.warning == "");
  for (const char* text : {"ask", "ext", "0xF01", "0x302", "0x999", "bogus", "3"}) {
    CAPTURE(text);
    c = choose_linux_screen(std::string("vga=") + text, kStdVga);
    CHECK(c.screen.kind == LinuxScreen::Kind::Text80x25);
    CHECK(c.warning == std::string("-kernel: vga=") + text +
                           " is not supported without a BIOS; staying in 80x25 text mode");
  }
  const LinuxVideoHardware no_vga{};
  c = choose_linux_screen("vga=0x317", no_vga);
  CHECK(c.screen.kind == LinuxScreen::Kind::None);
  CHECK(c.warning == "-kernel: vga=0x317 ignored: there is no VGA (-vga none)");
  CHECK(choose_linux_screen("console=ttyS0", no_vga).warning == "");
}

TEST_CASE("linux video: zero page for vga=0x317 (and vga=791)") {
  const std::vector<uint8_t> zp = zero_page_for("console=ttyS0 vga=0x317");
  CHECK(zero_page_for("console=ttyS0 vga=791") == zp);
  const ScreenInfo si(zp);
  check_text_mode_3(si);  // what the setup code recorded before switching
  CHECK(si.is_vga == 0x23);  // VIDEO_TYPE_VLFB
  CHECK(si.lfb_width == 1024);
  CHECK(si.lfb_height == 768);
  CHECK(si.lfb_depth == 16);
  CHECK(si.lfb_base == 0xFD000000u);
  CHECK(si.lfb_size == 256);  // 16 MiB in 64 KiB units
  CHECK(si.linelength == 2048);
  CHECK(si.colour_layout() == std::vector<int>{5, 11, 6, 5, 5, 0, 0, 0});
  CHECK(si.vesapm_seg == 0);
  CHECK(si.vesapm_off == 0);
  CHECK(si.pages == 1);
  CHECK(si.vesa_attributes == 0x9B);
  CHECK(si.capabilities == 0);
  CHECK(si.vid_mode == 0x317);
}

TEST_CASE("linux video: colour layouts of the other depths") {
  struct Case { const char* cmdline; uint16_t depth, linelength; std::vector<int> colours; };
  const Case cases[] = {
      {"vga=0x305", 8, 1024, {6, 0, 6, 0, 6, 0, 6, 0}},  // palette: the 6-bit DAC's width
      {"vga=0x310", 15, 1280, {5, 10, 5, 5, 5, 0, 1, 15}},
      {"vga=0x31B", 24, 3840, {8, 16, 8, 8, 8, 0, 0, 0}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.cmdline);
    const ScreenInfo si(zero_page_for(c.cmdline));
    CHECK(si.is_vga == 0x23);
    CHECK(si.lfb_depth == c.depth);
    CHECK(si.linelength == c.linelength);
    CHECK(si.colour_layout() == c.colours);
  }
}

TEST_CASE("linux video: zero page for text mode, unsupported modes and no VGA") {
  for (const char* cmdline : {"console=ttyS0", "vga=normal", "vga=ask", "vga=0x999"}) {
    CAPTURE(cmdline);
    const ScreenInfo si(zero_page_for(cmdline));
    check_text_mode_3(si);
    CHECK(si.is_vga == 1);
    CHECK(si.lfb_width == 0);
    CHECK(si.lfb_base == 0);
    CHECK(si.linelength == 0);
    CHECK(si.vid_mode == 0x0F00);  // VIDEO_80x25, as the setup code stores it
  }
  const std::vector<uint8_t> zp = zero_page_for("vga=0x317", LinuxVideoHardware{});
  CHECK(std::all_of(zp.begin(), zp.begin() + 0x40, [](uint8_t b) { return b == 0; }));
  CHECK(get<uint16_t>(zp, 0x1FA) == 0xFFFF);  // the kernel file's own vid_mode
}

TEST_CASE("linux video: a -kernel machine sets the VESA mode and assigns the VGA's BAR0") {
  char name[] = "/tmp/bt86_lvideo_XXXXXX";
  const int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  close(fd);
  const std::vector<uint8_t> image = fake_bzimage();
  std::ofstream(name, std::ios::binary).write(reinterpret_cast<const char*>(image.data()), image.size());
  MachineOptions o;
  o.ram_bytes = 32u << 20;
  o.bios_image.assign(0x10000, 0xF4);  // never runs
  o.kernel = name;
  auto bar0 = [](Machine& m) {
    m.io().out(0xCF8, 0x80000000u | (2u << 11) | 0x10, 4);  // 00:02.0 BAR0
    return m.io().in(0xCFC, 4) & ~0xFu;
  };
  auto vid_mode = [](Machine& m) {
    uint16_t v = 0;
    m.mem().copy_from(linux_layout::kZeroPage + 0x1FA, &v, 2);
    return v;
  };
  SUBCASE("vga=0x317") {
    o.append = "console=ttyS0 vga=0x317";
    Machine m(o);
    const VgaFrame frame = m.vga()->render();
    CHECK(frame.width == 1024);
    CHECK(frame.height == 768);
    CHECK(bar0(m) == VgaPci::kFirmwareLfbAddress);
    CHECK(vid_mode(m) == 0x317);
    m.reset();  // a reboot sets it again
    CHECK(m.vga()->render().width == 1024);
  }
  SUBCASE("no vga=: text mode 3, BAR0 assigned all the same") {
    o.append = "console=ttyS0";
    Machine m(o);
    CHECK(m.vga()->text_mode());
    CHECK(m.vga()->render().width == 720);
    CHECK(bar0(m) == VgaPci::kFirmwareLfbAddress);
    CHECK(vid_mode(m) == 0x0F00);
  }
  std::remove(name);
}
