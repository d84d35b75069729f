// Host keys (SDL scancodes: USB HID usage positions, independent of the host's layout) to the
// PS/2 keyboard's scan code set 2, as an MF2 keyboard sends them: most keys are one make code
// (E0-prefixed for the "extended" keys: right Ctrl/Alt, the Windows and menu keys, the cursor
// block, keypad / and Enter), PrintScreen is the pair E0 12 E0 7C (released in reverse), and
// Pause sends E1 14 77 E1 F0 14 F0 77 when pressed and nothing when released.
#pragma once
#include <SDL_scancode.h>

#include <cstdint>
#include <vector>

namespace bt86 {

// One call of Ps2Keyboard::key(): a set-2 code, whether it is E0-prefixed, make or break.
struct Ps2KeyEvent {
  uint8_t code;
  bool extended;
  bool pressed;
  bool operator==(const Ps2KeyEvent&) const = default;
};

// The set-2 make code of a key and whether it is extended; found = false for keys an MF2
// keyboard does not have (and for PrintScreen/Pause, whose sequences sdl_key_events gives).
struct Set2Key {
  bool found = false;
  uint8_t code = 0;
  bool extended = false;
};
Set2Key sdl_scancode_to_set2(SDL_Scancode sc);

// The keyboard events for a host key going down (or repeating: the same make codes again, as a
// typematic keyboard repeats) or up. Empty for keys that have no PS/2 equivalent.
std::vector<Ps2KeyEvent> sdl_key_events(SDL_Scancode sc, bool pressed);

}  // namespace bt86
