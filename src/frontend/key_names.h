// The keys a front end can press, by QEMU's key names (the `sendkey` and QKeyCode spelling:
// "a", "ret", "ctrl", "alt_r", "kp_enter", "pgup", ...), each mapped to its PS/2 scan code set 2
// make code plus the E0 "extended" flag, the form Ps2Keyboard::key() takes. The monitor's
// `sendkey` and the SDL window's keymap share this one table.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bt86 {

// One key as the keyboard reports it in scan code set 2: `code`, E0-prefixed when `extended`.
struct Set2Key {
  unsigned char code = 0;
  bool extended = false;
  friend bool operator==(Set2Key, Set2Key) = default;
};

// The key called `name` (QEMU spelling, case-sensitive as in QEMU; a few aliases such as "altgr"
// and "esc"/"escape" are accepted), or nothing for an unknown name. Keys without a plain set-2
// make code (Pause/Break, whose E1 sequence Ps2Keyboard::key cannot send) are not in the table.
std::optional<Set2Key> key_by_name(std::string_view name);

// The table's preferred name of `key`, or nullptr if no named key has that code.
const char* key_name(Set2Key key);

// All preferred names, in table order (for `help sendkey`-style listings and tests).
std::vector<std::string_view> key_names();

// A `sendkey` argument: key names joined by '-', e.g. "ctrl-alt-delete", "shift-a", "ret".
// Returns the keys in order, or the unknown name in `error` (then the result is empty).
std::vector<Set2Key> parse_key_combo(std::string_view combo, std::string* error = nullptr);

// One key going down or up.
struct KeyEvent {
  Set2Key key;
  bool pressed = true;
  friend bool operator==(KeyEvent, KeyEvent) = default;
};

// The events of striking a combo as QEMU's sendkey does: the keys pressed in order, then
// released in reverse order, so the leading modifiers are held while the last key is struck.
std::vector<KeyEvent> key_combo_events(const std::vector<Set2Key>& keys);

}  // namespace bt86
