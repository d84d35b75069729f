// The SDL2 window (`-display sdl`): shows the emulated VGA and feeds the host keyboard and mouse
// to the PS/2 devices. A Frontend polled by the machine's run loop on the main thread:
// - Display: the VGA picture at the mode's resolution in a resizable window (small modes such as
//   320x200 open at twice their size, modes larger than the screen smaller; the window is kept on
//   the screen; the picture keeps its aspect ratio when the window is resized). At most ~60
//   times a second Vga::update_view() redraws what changed (registers, text blink, or the lines
//   in VRAM pages the guest wrote) and only that span of lines is uploaded, so an idle guest
//   costs almost nothing.
// - Keyboard: SDL scancodes through sdl_keymap.h; SDL's key repeat becomes repeated make codes.
//   Keys held when the window loses focus are released in the guest.
// - Mouse: a click in the window grabs the pointer (relative mode); then motion, buttons 1-5 and
//   the wheel go to the PS/2 mouse. Ctrl+Alt+G releases the grab (the title says so).
// - Title, about once a second: "bt86 — running|paused|halted — N MIPS".
// - Closing the window ends the run (Machine::request_quit, exit code 0).
#pragma once
#include <SDL.h>

#include <bitset>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "machine/machine.h"

namespace bt86 {

class SdlDisplay : public Frontend {
 public:
  // A display server is named: $DISPLAY or $WAYLAND_DISPLAY (or SDL_VIDEODRIVER picks a driver
  // explicitly, e.g. kmsdrm on a Linux console).
  static bool display_named();
  // True when a display is named and SDL's video starts.
  static bool available();
  // Opens the window. Throws std::runtime_error with a one-line message when no display is
  // named (SDL would open an invisible off-screen window) or SDL fails.
  SdlDisplay();
  ~SdlDisplay() override;
  SdlDisplay(const SdlDisplay&) = delete;
  SdlDisplay& operator=(const SdlDisplay&) = delete;

  void poll(Machine& m) override;

 private:
  void handle_event(Machine& m, const SDL_Event& e);
  void handle_key(Machine& m, const SDL_KeyboardEvent& k);
  void handle_mouse(Machine& m, const SDL_Event& e);
  void release_held_keys(Machine& m);
  void set_grab(bool grab);
  void redraw_if_changed(Machine& m);
  void resize_for(unsigned width, unsigned height);
  void fit_window(unsigned width, unsigned height);  // window size for a mode, kept on screen
  void present();
  void update_title(Machine& m, uint64_t now_ns);

  SDL_Window* window_ = nullptr;
  SDL_Renderer* renderer_ = nullptr;
  SDL_Texture* texture_ = nullptr;
  unsigned frame_w_ = 0, frame_h_ = 0;
  VgaView view_;  // the picture in the texture (Vga::update_view keeps it current)
  bool must_redraw_ = true;  // expose, resize, mode change
  uint64_t next_frame_ns_ = 0;

  bool grabbed_ = false;
  uint8_t buttons_ = 0;                  // PS/2 button bits held while grabbed
  std::bitset<SDL_NUM_SCANCODES> held_;  // keys pressed in the guest

  std::string title_;
  uint64_t next_title_ns_ = 0, title_insns_ = 0, title_ns_ = 0;
};

// The window for a -display value ("sdl", "none" or "auto"), registered with the machine; null
// for "none", and for "auto" when no display is available. Throws std::runtime_error when "sdl"
// was asked for and cannot open.
std::unique_ptr<SdlDisplay> open_window(Machine& machine, const std::string& display);

}  // namespace bt86
