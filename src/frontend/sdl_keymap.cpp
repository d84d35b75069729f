// SDL scancode -> PS/2 scan code set 2 (see sdl_keymap.h). The codes are those of the IBM MF2
// keyboard (scan code set 2 as listed in the PS/2 keyboard technical reference).
#include "frontend/sdl_keymap.h"

namespace bt86 {

namespace {

struct KeyRow {
  SDL_Scancode sc;
  uint8_t code;
  bool extended;
};

constexpr bool E0 = true, Plain = false;

constexpr KeyRow kKeys[] = {
    // Letters.
    {SDL_SCANCODE_A, 0x1C, Plain}, {SDL_SCANCODE_B, 0x32, Plain}, {SDL_SCANCODE_C, 0x21, Plain},
    {SDL_SCANCODE_D, 0x23, Plain}, {SDL_SCANCODE_E, 0x24, Plain}, {SDL_SCANCODE_F, 0x2B, Plain},
    {SDL_SCANCODE_G, 0x34, Plain}, {SDL_SCANCODE_H, 0x33, Plain}, {SDL_SCANCODE_I, 0x43, Plain},
    {SDL_SCANCODE_J, 0x3B, Plain}, {SDL_SCANCODE_K, 0x42, Plain}, {SDL_SCANCODE_L, 0x4B, Plain},
    {SDL_SCANCODE_M, 0x3A, Plain}, {SDL_SCANCODE_N, 0x31, Plain}, {SDL_SCANCODE_O, 0x44, Plain},
    {SDL_SCANCODE_P, 0x4D, Plain}, {SDL_SCANCODE_Q, 0x15, Plain}, {SDL_SCANCODE_R, 0x2D, Plain},
    {SDL_SCANCODE_S, 0x1B, Plain}, {SDL_SCANCODE_T, 0x2C, Plain}, {SDL_SCANCODE_U, 0x3C, Plain},
    {SDL_SCANCODE_V, 0x2A, Plain}, {SDL_SCANCODE_W, 0x1D, Plain}, {SDL_SCANCODE_X, 0x22, Plain},
    {SDL_SCANCODE_Y, 0x35, Plain}, {SDL_SCANCODE_Z, 0x1A, Plain},
    // Digit row.
    {SDL_SCANCODE_1, 0x16, Plain}, {SDL_SCANCODE_2, 0x1E, Plain}, {SDL_SCANCODE_3, 0x26, Plain},
    {SDL_SCANCODE_4, 0x25, Plain}, {SDL_SCANCODE_5, 0x2E, Plain}, {SDL_SCANCODE_6, 0x36, Plain},
    {SDL_SCANCODE_7, 0x3D, Plain}, {SDL_SCANCODE_8, 0x3E, Plain}, {SDL_SCANCODE_9, 0x46, Plain},
    {SDL_SCANCODE_0, 0x45, Plain},
    // Editing keys and punctuation of the main block.
    {SDL_SCANCODE_RETURN, 0x5A, Plain}, {SDL_SCANCODE_ESCAPE, 0x76, Plain},
    {SDL_SCANCODE_BACKSPACE, 0x66, Plain}, {SDL_SCANCODE_TAB, 0x0D, Plain},
    {SDL_SCANCODE_SPACE, 0x29, Plain}, {SDL_SCANCODE_MINUS, 0x4E, Plain},
    {SDL_SCANCODE_EQUALS, 0x55, Plain}, {SDL_SCANCODE_LEFTBRACKET, 0x54, Plain},
    {SDL_SCANCODE_RIGHTBRACKET, 0x5B, Plain}, {SDL_SCANCODE_BACKSLASH, 0x5D, Plain},
    {SDL_SCANCODE_NONUSHASH, 0x5D, Plain}, {SDL_SCANCODE_SEMICOLON, 0x4C, Plain},
    {SDL_SCANCODE_APOSTROPHE, 0x52, Plain}, {SDL_SCANCODE_GRAVE, 0x0E, Plain},
    {SDL_SCANCODE_COMMA, 0x41, Plain}, {SDL_SCANCODE_PERIOD, 0x49, Plain},
    {SDL_SCANCODE_SLASH, 0x4A, Plain}, {SDL_SCANCODE_CAPSLOCK, 0x58, Plain},
    {SDL_SCANCODE_NONUSBACKSLASH, 0x61, Plain},
    // Function keys.
    {SDL_SCANCODE_F1, 0x05, Plain}, {SDL_SCANCODE_F2, 0x06, Plain}, {SDL_SCANCODE_F3, 0x04, Plain},
    {SDL_SCANCODE_F4, 0x0C, Plain}, {SDL_SCANCODE_F5, 0x03, Plain}, {SDL_SCANCODE_F6, 0x0B, Plain},
    {SDL_SCANCODE_F7, 0x83, Plain}, {SDL_SCANCODE_F8, 0x0A, Plain}, {SDL_SCANCODE_F9, 0x01, Plain},
    {SDL_SCANCODE_F10, 0x09, Plain}, {SDL_SCANCODE_F11, 0x78, Plain},
    {SDL_SCANCODE_F12, 0x07, Plain}, {SDL_SCANCODE_SCROLLLOCK, 0x7E, Plain},
    // Cursor and editing block.
    {SDL_SCANCODE_INSERT, 0x70, E0}, {SDL_SCANCODE_HOME, 0x6C, E0},
    {SDL_SCANCODE_PAGEUP, 0x7D, E0}, {SDL_SCANCODE_DELETE, 0x71, E0},
    {SDL_SCANCODE_END, 0x69, E0}, {SDL_SCANCODE_PAGEDOWN, 0x7A, E0},
    {SDL_SCANCODE_RIGHT, 0x74, E0}, {SDL_SCANCODE_LEFT, 0x6B, E0},
    {SDL_SCANCODE_DOWN, 0x72, E0}, {SDL_SCANCODE_UP, 0x75, E0},
    // Keypad.
    {SDL_SCANCODE_NUMLOCKCLEAR, 0x77, Plain}, {SDL_SCANCODE_KP_DIVIDE, 0x4A, E0},
    {SDL_SCANCODE_KP_MULTIPLY, 0x7C, Plain}, {SDL_SCANCODE_KP_MINUS, 0x7B, Plain},
    {SDL_SCANCODE_KP_PLUS, 0x79, Plain}, {SDL_SCANCODE_KP_ENTER, 0x5A, E0},
    {SDL_SCANCODE_KP_1, 0x69, Plain}, {SDL_SCANCODE_KP_2, 0x72, Plain},
    {SDL_SCANCODE_KP_3, 0x7A, Plain}, {SDL_SCANCODE_KP_4, 0x6B, Plain},
    {SDL_SCANCODE_KP_5, 0x73, Plain}, {SDL_SCANCODE_KP_6, 0x74, Plain},
    {SDL_SCANCODE_KP_7, 0x6C, Plain}, {SDL_SCANCODE_KP_8, 0x75, Plain},
    {SDL_SCANCODE_KP_9, 0x7D, Plain}, {SDL_SCANCODE_KP_0, 0x70, Plain},
    {SDL_SCANCODE_KP_PERIOD, 0x71, Plain},
    // Modifiers and the Windows keys.
    {SDL_SCANCODE_LCTRL, 0x14, Plain}, {SDL_SCANCODE_LSHIFT, 0x12, Plain},
    {SDL_SCANCODE_LALT, 0x11, Plain}, {SDL_SCANCODE_LGUI, 0x1F, E0},
    {SDL_SCANCODE_RCTRL, 0x14, E0}, {SDL_SCANCODE_RSHIFT, 0x59, Plain},
    {SDL_SCANCODE_RALT, 0x11, E0}, {SDL_SCANCODE_RGUI, 0x27, E0},
    {SDL_SCANCODE_APPLICATION, 0x2F, E0},
};

// PrintScreen: make E0 12 E0 7C (a fake left Shift, then the key), break in reverse order.
constexpr uint8_t kPrintScreenShift = 0x12, kPrintScreenKey = 0x7C;
// Pause has no break code: its make sequence is E1 14 77 E1 F0 14 F0 77. E1 is sent as a plain
// byte (it translates to itself in set 1), followed by Ctrl's and NumLock's make and break codes.
constexpr uint8_t kPausePrefix = 0xE1, kPauseCtrl = 0x14, kPauseNumLock = 0x77;

}  // namespace

Set2Key sdl_scancode_to_set2(SDL_Scancode sc) {
  for (const KeyRow& row : kKeys)
    if (row.sc == sc) return {true, row.code, row.extended};
  return {};
}

std::vector<Ps2KeyEvent> sdl_key_events(SDL_Scancode sc, bool pressed) {
  if (sc == SDL_SCANCODE_PRINTSCREEN) {
    if (pressed) return {{kPrintScreenShift, true, true}, {kPrintScreenKey, true, true}};
    return {{kPrintScreenKey, true, false}, {kPrintScreenShift, true, false}};
  }
  if (sc == SDL_SCANCODE_PAUSE) {
    if (!pressed) return {};
    return {{kPausePrefix, false, true}, {kPauseCtrl, false, true}, {kPauseNumLock, false, true},
            {kPausePrefix, false, true}, {kPauseCtrl, false, false}, {kPauseNumLock, false, false}};
  }
  const Set2Key k = sdl_scancode_to_set2(sc);
  if (!k.found) return {};
  return {{k.code, k.extended, pressed}};
}

}  // namespace bt86
