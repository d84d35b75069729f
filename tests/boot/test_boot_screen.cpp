// Boot test on a Machine built directly: SeaBIOS boots the ISOLINUX CD made by the boot.make_cd
// fixture (its path in $BT86_BOOT_CD) and, once the run ends by its time limit with ISOLINUX
// waiting at its prompt, the VGA text screen shows what ISOLINUX printed on COM1 too: its banner,
// the marker line and "boot:".
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "machine/machine.h"

using namespace bt86;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Whole screen as text, one line per row.
std::string screen_text(const VgaTextScreen& s) {
  std::string text;
  for (unsigned row = 0; row < s.rows; ++row) text += s.row_text(row) + "\n";
  return text;
}

}  // namespace

TEST_CASE("ISOLINUX from a CD: banner, marker and prompt on the VGA text screen and COM1") {
  const std::string cd = env("BT86_BOOT_CD");
  const std::string marker = env("BT86_BOOT_MARKER");
  REQUIRE_MESSAGE(!cd.empty(), "BT86_BOOT_CD not set: run through ctest (fixture boot.make_cd)");
  REQUIRE_MESSAGE(!marker.empty(), "BT86_BOOT_MARKER not set: run through ctest");
  const std::string serial_log = env("BT86_BOOT_DIR") + "/isolinux_screen_serial.log";

  MachineOptions opt;
  opt.ram_bytes = 128ull << 20;
  opt.cdrom = cd;
  opt.boot_order = "d";
  opt.debugcon = "none";
  opt.serial = {"file:" + serial_log};
  // ISOLINUX waits at its prompt for good (TIMEOUT 0); the prompt comes after ~0.25 s of
  // guest time, so the run ends on this limit with a wide margin for a loaded host.
  opt.timeout_s = 3;

  std::string screen;
  {
    Machine m(opt);
    CHECK(m.run() == exit_code::kTimeout);
    REQUIRE(m.vga() != nullptr);
    const VgaTextScreen s = m.vga()->text_screen();
    REQUIRE(s.cols == 80);
    REQUIRE(s.rows == 25);
    CHECK(m.vga()->text_mode());
    screen = screen_text(s);
  }  // the Machine closes the serial file
  INFO("screen:\n" << screen);
  CHECK(screen.find("ISOLINUX 6.") != std::string::npos);
  CHECK(screen.find("H. Peter Anvin") != std::string::npos);
  CHECK(screen.find(marker) != std::string::npos);
  CHECK(screen.find("boot:") != std::string::npos);

  const std::string serial = read_file(serial_log);
  INFO("COM1:\n" << serial);
  CHECK(serial.find("Booting from DVD/CD") != std::string::npos);
  CHECK(serial.find(marker) != std::string::npos);
  CHECK(serial.find("boot:") != std::string::npos);
}
