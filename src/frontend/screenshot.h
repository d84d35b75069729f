// Screenshots: the VGA's current picture (Vga::render()) written as a PNG file with libpng, for
// the monitor's `screendump`, the `-screenshot-at-exit` option and the window.
#pragma once
#include <stdexcept>
#include <string>
#include "devices/vga.h"

namespace bt86 {

class Machine;

// A screenshot that could not be taken or written; what() is a one-line message for the user.
class ScreenshotError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes `frame` to `path` as an 8-bit RGB PNG (replacing the file). Throws ScreenshotError.
void write_png(const VgaFrame& frame, const std::string& path);

// Renders the machine's screen and writes it to `path`. Throws ScreenshotError, also when the
// machine has no display (-vga none) or the screen has no picture yet.
void save_screenshot(Machine& machine, const std::string& path);

// Checks up front, without creating anything, that `path` could be written: its directory
// exists and is writable, and an existing file is a writable regular file. Throws
// ScreenshotError naming the problem.
void check_screenshot_path(const std::string& path);

// -screenshot-at-exit: saves the screen after the run ended with `run_code`. Returns the exit
// code: run_code, or exit_code::kStartupError (1) if the picture could not be written and the
// run itself had ended with 0 (the message goes to stderr).
int screenshot_at_exit(Machine& machine, const std::string& path, int run_code);

}  // namespace bt86
