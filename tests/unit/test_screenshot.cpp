// Screenshots (frontend/screenshot.h): PNG round trip through libpng's reader, the errors for
// empty frames, bad paths and a machine without a display, and -screenshot-at-exit's checks.
#include <doctest/doctest.h>

#include <png.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "frontend/cli_options.h"
#include "frontend/screenshot.h"
#include "machine/machine.h"

using namespace bt86;

namespace {

std::string temp_png(const char* tag) {
  return "/tmp/bt86_screenshot_" + std::string(tag) + "_" + std::to_string(getpid()) + ".png";
}

// Reads a PNG back as 0x00RRGGBB pixels with libpng's simplified API.
VgaFrame read_png(const std::string& path) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  VgaFrame f;
  REQUIRE(png_image_begin_read_from_file(&image, path.c_str()));
  image.format = PNG_FORMAT_RGB;
  std::vector<uint8_t> rgb(PNG_IMAGE_SIZE(image));
  REQUIRE(png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr));
  f.width = image.width;
  f.height = image.height;
  for (size_t i = 0; i + 2 < rgb.size(); i += 3)
    f.pixels.push_back(uint32_t(rgb[i]) << 16 | uint32_t(rgb[i + 1]) << 8 | rgb[i + 2]);
  return f;
}

MachineOptions tiny_machine(const std::string& vga) {
  MachineOptions o;
  o.ram_bytes = 2 << 20;
  o.bios_image.assign(0x10000, 0xF4);  // HLT everywhere
  o.debugcon = "none";
  o.vga = vga;
  return o;
}

}  // namespace

TEST_CASE("write_png stores every pixel's RGB exactly") {
  VgaFrame f;
  f.width = 37;  // odd sizes: no row padding assumptions
  f.height = 11;
  for (unsigned y = 0; y < f.height; ++y)
    for (unsigned x = 0; x < f.width; ++x) f.pixels.push_back((x * 7) << 16 | (y * 23) << 8 | ((x ^ y) * 5));
  const std::string path = temp_png("roundtrip");
  write_png(f, path);
  const VgaFrame back = read_png(path);
  CHECK(back.width == f.width);
  CHECK(back.height == f.height);
  CHECK(back.pixels == f.pixels);
  unlink(path.c_str());
}

TEST_CASE("write_png refuses an empty frame and reports an unwritable path") {
  CHECK_THROWS_AS(write_png(VgaFrame{}, temp_png("empty")), ScreenshotError);
  VgaFrame f{2, 1, {0xFFFFFF, 0}};
  CHECK_THROWS_WITH_AS(write_png(f, "/nonexistent-dir/x.png"), doctest::Contains("/nonexistent-dir/x.png"),
                       ScreenshotError);
}

TEST_CASE("check_screenshot_path finds missing directories and non-files without creating anything") {
  const std::string ok = temp_png("check");
  CHECK_NOTHROW(check_screenshot_path(ok));
  CHECK(access(ok.c_str(), F_OK) != 0);  // nothing was created
  CHECK_THROWS_WITH_AS(check_screenshot_path("/nonexistent-dir/x.png"), doctest::Contains("does not exist"),
                       ScreenshotError);
  CHECK_THROWS_WITH_AS(check_screenshot_path("/tmp"), doctest::Contains("not a regular file"), ScreenshotError);
  CHECK_THROWS_AS(check_screenshot_path(""), ScreenshotError);
  CHECK_NOTHROW(check_screenshot_path("relative-name.png"));  // the current directory
}

TEST_CASE("save_screenshot: a machine without a VGA gives an error, with one a PNG of its frame") {
  Machine headless(tiny_machine("none"));
  CHECK_THROWS_WITH_AS(save_screenshot(headless, temp_png("novga")), doctest::Contains("-vga none"),
                       ScreenshotError);
  CHECK(screenshot_at_exit(headless, temp_png("novga"), 0) == exit_code::kStartupError);
  CHECK(screenshot_at_exit(headless, temp_png("novga"), 124) == 124);  // the run's code wins

  Machine with_vga(tiny_machine("std"));
  const std::string path = temp_png("vga");
  save_screenshot(with_vga, path);
  const VgaFrame expected = with_vga.vga()->render();
  const VgaFrame back = read_png(path);
  CHECK(back.width == expected.width);
  CHECK(back.pixels == expected.pixels);
  unlink(path.c_str());
}

TEST_CASE("-screenshot-at-exit is parsed and refused without a screen") {
  CHECK(parse_cli({"-screenshot-at-exit", "a.png"}).screenshot_at_exit == "a.png");
  CHECK_THROWS_WITH_AS(parse_cli({"-vga", "none", "-screenshot-at-exit", "a.png"}), doctest::Contains("-vga none"),
                       CliError);
}
