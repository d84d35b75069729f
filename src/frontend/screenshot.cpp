// PNG screenshots through libpng's simplified write API (png_image, libpng 1.6): the frame's
// 0x00RRGGBB pixels become 3-byte RGB rows.
#include "frontend/screenshot.h"

#include <png.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "machine/machine.h"

namespace bt86 {

namespace {

std::vector<uint8_t> rgb_bytes(const VgaFrame& frame) {
  std::vector<uint8_t> rgb(frame.pixels.size() * 3);
  for (size_t i = 0; i < frame.pixels.size(); ++i) {
    const uint32_t p = frame.pixels[i];
    rgb[3 * i] = uint8_t(p >> 16);
    rgb[3 * i + 1] = uint8_t(p >> 8);
    rgb[3 * i + 2] = uint8_t(p);
  }
  return rgb;
}

std::string parent_directory(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void write_png(const VgaFrame& frame, const std::string& path) {
  if (frame.width == 0 || frame.height == 0 || frame.pixels.size() != size_t(frame.width) * frame.height)
    throw ScreenshotError("screenshot: the screen has no picture yet");
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = frame.width;
  image.height = frame.height;
  image.format = PNG_FORMAT_RGB;
  const std::vector<uint8_t> rgb = rgb_bytes(frame);
  if (!png_image_write_to_file(&image, path.c_str(), 0, rgb.data(), 0, nullptr)) {
    const std::string why = image.message;  // e.g. strerror() of a failed fopen
    png_image_free(&image);
    throw ScreenshotError("screenshot '" + path + "': " + why);
  }
}

void save_screenshot(Machine& machine, const std::string& path) {
  const Vga* vga = machine.vga();
  if (!vga) throw ScreenshotError("screenshot: the machine has no display (-vga none)");
  write_png(vga->render(), path);
}

void check_screenshot_path(const std::string& path) {
  if (path.empty()) throw ScreenshotError("screenshot: empty file name");
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) throw ScreenshotError("screenshot '" + path + "': not a regular file");
    if (access(path.c_str(), W_OK) != 0)
      throw ScreenshotError("screenshot '" + path + "': " + std::strerror(errno));
    return;
  }
  const std::string dir = parent_directory(path);
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw ScreenshotError("screenshot '" + path + "': directory '" + dir + "' does not exist");
  if (access(dir.c_str(), W_OK) != 0)
    throw ScreenshotError("screenshot '" + path + "': directory '" + dir + "' is not writable");
}

int screenshot_at_exit(Machine& machine, const std::string& path, int run_code) {
  try {
    save_screenshot(machine, path);
  } catch (const ScreenshotError& e) {
    std::fprintf(stderr, "bt86: -screenshot-at-exit: %s\n", e.what());
    return run_code == 0 ? exit_code::kStartupError : run_code;
  }
  return run_code;
}

}  // namespace bt86
