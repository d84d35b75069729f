// SDL scancode -> PS/2 set 2 (src/frontend/sdl_keymap.h): plain and E0 keys, PrintScreen and
// Pause sequences, and the bytes a Ps2Keyboard sends for them in set 2 and (translated) set 1;
// and that -display sdl without a display is refused rather than opened off-screen.
#include <doctest/doctest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "devices/ps2_keyboard.h"
#include "frontend/sdl_display.h"
#include "frontend/sdl_keymap.h"

using namespace bt86;

namespace {

// The bytes the keyboard queues for a host key press or release.
std::vector<uint8_t> bytes_for(Ps2Keyboard& kbd, SDL_Scancode sc, bool pressed) {
  for (const Ps2KeyEvent& e : sdl_key_events(sc, pressed)) kbd.key(e.code, e.extended, e.pressed);
  std::vector<uint8_t> out;
  while (kbd.has_output()) out.push_back(kbd.take_output());
  return out;
}

using Bytes = std::vector<uint8_t>;

}  // namespace

TEST_CASE("SDL keymap: letters, digits, punctuation, function keys and the keypad are plain codes") {
  struct { SDL_Scancode sc; uint8_t code; } plain[] = {
      {SDL_SCANCODE_A, 0x1C}, {SDL_SCANCODE_Z, 0x1A}, {SDL_SCANCODE_1, 0x16}, {SDL_SCANCODE_0, 0x45},
      {SDL_SCANCODE_RETURN, 0x5A}, {SDL_SCANCODE_SPACE, 0x29}, {SDL_SCANCODE_SLASH, 0x4A},
      {SDL_SCANCODE_GRAVE, 0x0E}, {SDL_SCANCODE_F1, 0x05}, {SDL_SCANCODE_F7, 0x83},
      {SDL_SCANCODE_F12, 0x07}, {SDL_SCANCODE_KP_7, 0x6C}, {SDL_SCANCODE_KP_MULTIPLY, 0x7C},
      {SDL_SCANCODE_NUMLOCKCLEAR, 0x77}, {SDL_SCANCODE_LCTRL, 0x14}, {SDL_SCANCODE_RSHIFT, 0x59},
  };
  for (const auto& k : plain) {
    const Set2Key s = sdl_scancode_to_set2(k.sc);
    CHECK(s.found);
    CHECK(s.code == k.code);
    CHECK_FALSE(s.extended);
  }
}

TEST_CASE("SDL keymap: the cursor block, right Ctrl/Alt, Windows keys and keypad / Enter are E0 keys") {
  struct { SDL_Scancode sc; uint8_t code; } extended[] = {
      {SDL_SCANCODE_UP, 0x75}, {SDL_SCANCODE_LEFT, 0x6B}, {SDL_SCANCODE_INSERT, 0x70},
      {SDL_SCANCODE_DELETE, 0x71}, {SDL_SCANCODE_HOME, 0x6C}, {SDL_SCANCODE_PAGEDOWN, 0x7A},
      {SDL_SCANCODE_RCTRL, 0x14}, {SDL_SCANCODE_RALT, 0x11}, {SDL_SCANCODE_LGUI, 0x1F},
      {SDL_SCANCODE_RGUI, 0x27}, {SDL_SCANCODE_APPLICATION, 0x2F}, {SDL_SCANCODE_KP_DIVIDE, 0x4A},
      {SDL_SCANCODE_KP_ENTER, 0x5A},
  };
  for (const auto& k : extended) {
    const Set2Key s = sdl_scancode_to_set2(k.sc);
    CHECK(s.found);
    CHECK(s.code == k.code);
    CHECK(s.extended);
  }
  CHECK_FALSE(sdl_scancode_to_set2(SDL_SCANCODE_F13).found);  // not on an MF2 keyboard
  CHECK(sdl_key_events(SDL_SCANCODE_F13, true).empty());
}

TEST_CASE("SDL keymap: make/break bytes in set 2; a repeat sends the make code again") {
  Ps2Keyboard kbd;
  kbd.reset();
  CHECK(bytes_for(kbd, SDL_SCANCODE_A, true) == Bytes{0x1C});
  CHECK(bytes_for(kbd, SDL_SCANCODE_A, true) == Bytes{0x1C});  // SDL key repeat
  CHECK(bytes_for(kbd, SDL_SCANCODE_A, false) == Bytes{0xF0, 0x1C});
  CHECK(bytes_for(kbd, SDL_SCANCODE_RCTRL, true) == Bytes{0xE0, 0x14});
  CHECK(bytes_for(kbd, SDL_SCANCODE_RCTRL, false) == Bytes{0xE0, 0xF0, 0x14});
}

TEST_CASE("SDL keymap: PrintScreen and Pause send their special sequences") {
  Ps2Keyboard kbd;
  kbd.reset();
  CHECK(bytes_for(kbd, SDL_SCANCODE_PRINTSCREEN, true) == Bytes{0xE0, 0x12, 0xE0, 0x7C});
  CHECK(bytes_for(kbd, SDL_SCANCODE_PRINTSCREEN, false) == Bytes{0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12});
  CHECK(bytes_for(kbd, SDL_SCANCODE_PAUSE, true) == Bytes{0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77});
  CHECK(bytes_for(kbd, SDL_SCANCODE_PAUSE, false).empty());  // Pause has no break code
}

TEST_CASE("SDL window without a display: -display sdl is refused with a clear message, auto stays headless") {
  // Save and clear what names a display; SDL would otherwise open an invisible off-screen window.
  std::vector<std::pair<std::string, std::string>> saved;
  for (const char* var : {"DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"}) {
    if (const char* v = std::getenv(var)) saved.emplace_back(var, v);
    ::unsetenv(var);
  }
  CHECK_FALSE(SdlDisplay::display_named());
  CHECK_FALSE(SdlDisplay::available());
  CHECK_THROWS_WITH_AS(SdlDisplay(), doctest::Contains("no display to open a window on"), std::runtime_error);
  for (const auto& [var, value] : saved) ::setenv(var.c_str(), value.c_str(), 1);
}
