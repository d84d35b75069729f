// QEMU key names -> PS/2 scan code set 2 (see key_names.h). Codes from the IBM PS/2 keyboard
// technical reference (set 2 make codes; E0 marks the extended keys of the 101/102-key layout).
#include "frontend/key_names.h"

namespace bt86 {

namespace {

struct NamedKey {
  std::string_view name;
  Set2Key key;
};

constexpr Set2Key plain(unsigned char code) { return {code, false}; }
constexpr Set2Key e0(unsigned char code) { return {code, true}; }

// The first entry for a code is its preferred name; later entries with the same code are aliases.
constexpr NamedKey kKeys[] = {
    // Main block, top row
    {"esc", plain(0x76)}, {"1", plain(0x16)}, {"2", plain(0x1E)}, {"3", plain(0x26)},
    {"4", plain(0x25)}, {"5", plain(0x2E)}, {"6", plain(0x36)}, {"7", plain(0x3D)},
    {"8", plain(0x3E)}, {"9", plain(0x46)}, {"0", plain(0x45)}, {"minus", plain(0x4E)},
    {"equal", plain(0x55)}, {"backspace", plain(0x66)},
    // Letter rows
    {"tab", plain(0x0D)}, {"q", plain(0x15)}, {"w", plain(0x1D)}, {"e", plain(0x24)},
    {"r", plain(0x2D)}, {"t", plain(0x2C)}, {"y", plain(0x35)}, {"u", plain(0x3C)},
    {"i", plain(0x43)}, {"o", plain(0x44)}, {"p", plain(0x4D)}, {"bracket_left", plain(0x54)},
    {"bracket_right", plain(0x5B)}, {"ret", plain(0x5A)},
    {"caps_lock", plain(0x58)}, {"a", plain(0x1C)}, {"s", plain(0x1B)}, {"d", plain(0x23)},
    {"f", plain(0x2B)}, {"g", plain(0x34)}, {"h", plain(0x33)}, {"j", plain(0x3B)},
    {"k", plain(0x42)}, {"l", plain(0x4B)}, {"semicolon", plain(0x4C)},
    {"apostrophe", plain(0x52)}, {"grave_accent", plain(0x0E)}, {"backslash", plain(0x5D)},
    {"shift", plain(0x12)}, {"less", plain(0x61)}, {"z", plain(0x1A)}, {"x", plain(0x22)},
    {"c", plain(0x21)}, {"v", plain(0x2A)}, {"b", plain(0x32)}, {"n", plain(0x31)},
    {"m", plain(0x3A)}, {"comma", plain(0x41)}, {"dot", plain(0x49)}, {"slash", plain(0x4A)},
    {"shift_r", plain(0x59)},
    // Bottom row
    {"ctrl", plain(0x14)}, {"meta_l", e0(0x1F)}, {"alt", plain(0x11)}, {"spc", plain(0x29)},
    {"alt_r", e0(0x11)}, {"meta_r", e0(0x27)}, {"menu", e0(0x2F)}, {"ctrl_r", e0(0x14)},
    // Function keys
    {"f1", plain(0x05)}, {"f2", plain(0x06)}, {"f3", plain(0x04)}, {"f4", plain(0x0C)},
    {"f5", plain(0x03)}, {"f6", plain(0x0B)}, {"f7", plain(0x83)}, {"f8", plain(0x0A)},
    {"f9", plain(0x01)}, {"f10", plain(0x09)}, {"f11", plain(0x78)}, {"f12", plain(0x07)},
    {"print", e0(0x7C)}, {"sysrq", plain(0x84)}, {"scroll_lock", plain(0x7E)},
    // Editing and cursor block
    {"insert", e0(0x70)}, {"home", e0(0x6C)}, {"pgup", e0(0x7D)},
    {"delete", e0(0x71)}, {"end", e0(0x69)}, {"pgdn", e0(0x7A)},
    {"up", e0(0x75)}, {"left", e0(0x6B)}, {"down", e0(0x72)}, {"right", e0(0x74)},
    // Keypad
    {"num_lock", plain(0x77)}, {"kp_divide", e0(0x4A)}, {"kp_multiply", plain(0x7C)},
    {"kp_subtract", plain(0x7B)}, {"kp_add", plain(0x79)}, {"kp_enter", e0(0x5A)},
    {"kp_decimal", plain(0x71)}, {"kp_0", plain(0x70)}, {"kp_1", plain(0x69)},
    {"kp_2", plain(0x72)}, {"kp_3", plain(0x7A)}, {"kp_4", plain(0x6B)}, {"kp_5", plain(0x73)},
    {"kp_6", plain(0x74)}, {"kp_7", plain(0x6C)}, {"kp_8", plain(0x75)}, {"kp_9", plain(0x7D)},
    // Japanese keys (106/109-key layouts)
    {"ro", plain(0x51)}, {"yen", plain(0x6A)}, {"henkan", plain(0x64)},
    {"muhenkan", plain(0x67)}, {"hiragana", plain(0x13)},
    // Aliases QEMU also accepts
    {"escape", plain(0x76)}, {"asterisk", plain(0x7C)}, {"altgr", e0(0x11)},
    {"altgr_r", e0(0x11)}, {"control", plain(0x14)}, {"control_r", e0(0x14)},
    {"ctrl_l", plain(0x14)}, {"alt_l", plain(0x11)}, {"shift_l", plain(0x12)},
    {"return", plain(0x5A)}, {"enter", plain(0x5A)}, {"space", plain(0x29)},
    {"page_up", e0(0x7D)}, {"page_down", e0(0x7A)}, {"meta", e0(0x1F)},
};

bool is_preferred(const NamedKey& entry) {
  for (const NamedKey& k : kKeys)
    if (k.key == entry.key) return &k == &entry;
  return false;
}

}  // namespace

std::optional<Set2Key> key_by_name(std::string_view name) {
  for (const NamedKey& k : kKeys)
    if (k.name == name) return k.key;
  return std::nullopt;
}

const char* key_name(Set2Key key) {
  for (const NamedKey& k : kKeys)
    if (k.key == key) return k.name.data();  // the names are string literals: NUL-terminated
  return nullptr;
}

std::vector<std::string_view> key_names() {
  std::vector<std::string_view> names;
  for (const NamedKey& k : kKeys)
    if (is_preferred(k)) names.push_back(k.name);
  return names;
}

std::vector<Set2Key> parse_key_combo(std::string_view combo, std::string* error) {
  std::vector<Set2Key> keys;
  size_t pos = 0;
  while (true) {
    const size_t dash = combo.find('-', pos);
    const std::string_view name = combo.substr(pos, dash == std::string_view::npos ? dash : dash - pos);
    const std::optional<Set2Key> key = key_by_name(name);
    if (!key) {
      if (error) *error = std::string(name);
      return {};
    }
    keys.push_back(*key);
    if (dash == std::string_view::npos) return keys;
    pos = dash + 1;
  }
}

std::vector<KeyEvent> key_combo_events(const std::vector<Set2Key>& keys) {
  std::vector<KeyEvent> events;
  for (const Set2Key& k : keys) events.push_back({k, true});
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) events.push_back({*it, false});
  return events;
}

}  // namespace bt86
