// The QEMU key-name table (frontend/key_names.h): names -> set-2 codes, cross-checked against the
// well-known set-1 codes through the 8042's translation table; combos and their event order.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "devices/ps2_keyboard.h"
#include "frontend/key_names.h"

using namespace bt86;

TEST_CASE("key names map to set-2 make codes with the E0 flag") {
  CHECK(key_by_name("a") == Set2Key{0x1C, false});
  CHECK(key_by_name("ret") == Set2Key{0x5A, false});
  CHECK(key_by_name("kp_enter") == Set2Key{0x5A, true});
  CHECK(key_by_name("ctrl") == Set2Key{0x14, false});
  CHECK(key_by_name("ctrl_r") == Set2Key{0x14, true});
  CHECK(key_by_name("f7") == Set2Key{0x83, false});
  CHECK(key_by_name("delete") == Set2Key{0x71, true});
  CHECK(key_by_name("kp_decimal") == Set2Key{0x71, false});
  // Aliases QEMU accepts.
  CHECK(key_by_name("altgr") == key_by_name("alt_r"));
  CHECK(key_by_name("asterisk") == key_by_name("kp_multiply"));
  CHECK(key_by_name("escape") == key_by_name("esc"));
  // Unknown names, and QEMU's spelling is case-sensitive.
  CHECK_FALSE(key_by_name("").has_value());
  CHECK_FALSE(key_by_name("A").has_value());
  CHECK_FALSE(key_by_name("enterr").has_value());
}

TEST_CASE("key names agree with the set-1 codes the 8042 translates them to") {
  struct Expect { const char* name; uint8_t set1; bool extended; };
  const Expect expected[] = {
      {"esc", 0x01, false}, {"1", 0x02, false}, {"0", 0x0B, false}, {"backspace", 0x0E, false},
      {"tab", 0x0F, false}, {"q", 0x10, false}, {"ret", 0x1C, false}, {"ctrl", 0x1D, false},
      {"a", 0x1E, false}, {"grave_accent", 0x29, false}, {"shift", 0x2A, false},
      {"backslash", 0x2B, false}, {"z", 0x2C, false}, {"m", 0x32, false}, {"slash", 0x35, false},
      {"shift_r", 0x36, false}, {"kp_multiply", 0x37, false}, {"alt", 0x38, false},
      {"spc", 0x39, false}, {"caps_lock", 0x3A, false}, {"f1", 0x3B, false}, {"f7", 0x41, false},
      {"f10", 0x44, false}, {"num_lock", 0x45, false}, {"scroll_lock", 0x46, false},
      {"kp_7", 0x47, false}, {"kp_0", 0x52, false}, {"kp_decimal", 0x53, false},
      {"less", 0x56, false}, {"f11", 0x57, false}, {"f12", 0x58, false},
      {"kp_enter", 0x1C, true}, {"ctrl_r", 0x1D, true}, {"kp_divide", 0x35, true},
      {"alt_r", 0x38, true}, {"home", 0x47, true}, {"up", 0x48, true}, {"pgup", 0x49, true},
      {"left", 0x4B, true}, {"right", 0x4D, true}, {"end", 0x4F, true}, {"down", 0x50, true},
      {"pgdn", 0x51, true}, {"insert", 0x52, true}, {"delete", 0x53, true},
      {"meta_l", 0x5B, true}, {"meta_r", 0x5C, true}, {"menu", 0x5D, true}, {"print", 0x37, true},
  };
  for (const Expect& e : expected) {
    CAPTURE(e.name);
    const auto key = key_by_name(e.name);
    REQUIRE(key.has_value());
    CHECK(ps2_translate_set2_to_set1(key->code) == e.set1);
    CHECK(key->extended == e.extended);
  }
}

TEST_CASE("every key has one preferred name, which key_name() returns") {
  std::set<std::pair<int, bool>> codes;
  for (std::string_view name : key_names()) {
    CAPTURE(std::string(name));
    const auto key = key_by_name(name);
    REQUIRE(key.has_value());
    CHECK(codes.insert({key->code, key->extended}).second);  // no two preferred names share a key
    CHECK(std::string_view(key_name(*key)) == name);
  }
  CHECK(codes.size() >= 104);  // a full 105-key layout less Pause
  CHECK(std::string(key_name(*key_by_name("altgr"))) == "alt_r");
  CHECK(key_name(Set2Key{0x00, true}) == nullptr);
}

TEST_CASE("key combos: names joined by '-', pressed in order and released in reverse") {
  std::string bad;
  const auto keys = parse_key_combo("ctrl-alt-delete", &bad);
  REQUIRE(keys.size() == 3);
  CHECK(keys[0] == *key_by_name("ctrl"));
  CHECK(keys[2] == *key_by_name("delete"));
  const auto events = key_combo_events(keys);
  REQUIRE(events.size() == 6);
  CHECK(events[0] == KeyEvent{keys[0], true});
  CHECK(events[2] == KeyEvent{keys[2], true});
  CHECK(events[3] == KeyEvent{keys[2], false});
  CHECK(events[5] == KeyEvent{keys[0], false});

  CHECK(parse_key_combo("a").size() == 1);
  CHECK(parse_key_combo("shift-minus").size() == 2);
  CHECK(parse_key_combo("ctrl-foo", &bad).empty());
  CHECK(bad == "foo");
  CHECK(parse_key_combo("ctrl--a", &bad).empty());
  CHECK(bad.empty());
  CHECK(parse_key_combo("", &bad).empty());
}
