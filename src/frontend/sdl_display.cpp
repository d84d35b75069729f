// The SDL2 window (see sdl_display.h).
#include "frontend/sdl_display.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "frontend/sdl_keymap.h"

namespace bt86 {

namespace {

constexpr uint64_t kFrameIntervalNs = 16'000'000;   // at most ~60 redraws a second
constexpr uint64_t kTitleIntervalNs = 1'000'000'000;
constexpr unsigned kSmallModeWidth = 400;           // narrower modes (320x200) open doubled
constexpr unsigned kNoVgaWidth = 640, kNoVgaHeight = 480;
constexpr int kWindowDecorationAllowance = 40;    // title bar room when fitting the screen

uint64_t host_ns() {
  using namespace std::chrono;
  return uint64_t(duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count());
}

std::runtime_error sdl_error(const char* what) {
  return std::runtime_error(std::string("-display sdl: ") + what + ": " + SDL_GetError());
}

// The PS/2 button bit of an SDL button number (0: none).
uint8_t ps2_button(uint8_t sdl_button) {
  switch (sdl_button) {
    case SDL_BUTTON_LEFT: return Ps2Mouse::kLeft;
    case SDL_BUTTON_RIGHT: return Ps2Mouse::kRight;
    case SDL_BUTTON_MIDDLE: return Ps2Mouse::kMiddle;
    case SDL_BUTTON_X1: return Ps2Mouse::kButton4;
    case SDL_BUTTON_X2: return Ps2Mouse::kButton5;
    default: return 0;
  }
}

bool is_release_hotkey(const SDL_KeyboardEvent& k) {
  return k.keysym.scancode == SDL_SCANCODE_G && (k.keysym.mod & KMOD_CTRL) && (k.keysym.mod & KMOD_ALT);
}

}  // namespace

bool SdlDisplay::display_named() {
  for (const char* var : {"DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"}) {
    const char* value = std::getenv(var);
    if (value && *value) return true;
  }
  return false;
}

bool SdlDisplay::available() {
  if (!display_named()) return false;
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) return false;
  SDL_QuitSubSystem(SDL_INIT_VIDEO);
  return true;
}

SdlDisplay::SdlDisplay() {
  // Without a display server SDL would fall back to an invisible off-screen window.
  if (!display_named())
    throw std::runtime_error("-display sdl: no display to open a window on ($DISPLAY and $WAYLAND_DISPLAY are "
                             "not set); use -display none or -nographic");
  // Ctrl-C and SIGTERM keep their usual meaning (SDL would turn them into a quit event).
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "nearest");
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) throw sdl_error("cannot start SDL video");
  window_ = SDL_CreateWindow("bt86", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, kNoVgaWidth,
                             kNoVgaHeight, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
  if (!window_) throw sdl_error("cannot open a window");
  renderer_ = SDL_CreateRenderer(window_, -1, 0);
  if (!renderer_) {
    SDL_DestroyWindow(window_);
    throw sdl_error("cannot create a renderer");
  }
  resize_for(kNoVgaWidth, kNoVgaHeight);
  present();
}

SdlDisplay::~SdlDisplay() {
  if (grabbed_) SDL_SetRelativeMouseMode(SDL_FALSE);
  if (texture_) SDL_DestroyTexture(texture_);
  SDL_DestroyRenderer(renderer_);
  SDL_DestroyWindow(window_);
  SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

std::unique_ptr<SdlDisplay> open_window(Machine& machine, const std::string& display) {
  if (display == "none" || (display == "auto" && !SdlDisplay::available())) return nullptr;
  auto window = std::make_unique<SdlDisplay>();
  machine.add_frontend(window.get());
  return window;
}

void SdlDisplay::poll(Machine& m) {
  SDL_Event e;
  while (SDL_PollEvent(&e)) handle_event(m, e);
  const uint64_t now = host_ns();
  if (now >= next_frame_ns_) {
    next_frame_ns_ = now + kFrameIntervalNs;
    redraw_if_changed(m);
  }
  if (now >= next_title_ns_) update_title(m, now);
}

void SdlDisplay::handle_event(Machine& m, const SDL_Event& e) {
  switch (e.type) {
    case SDL_QUIT:
      m.request_quit("window closed");
      break;
    case SDL_WINDOWEVENT:
      if (e.window.event == SDL_WINDOWEVENT_CLOSE) m.request_quit("window closed");
      else if (e.window.event == SDL_WINDOWEVENT_FOCUS_LOST) release_held_keys(m);
      else must_redraw_ = true;  // exposed, resized, ...
      break;
    case SDL_KEYDOWN:
    case SDL_KEYUP:
      handle_key(m, e.key);
      break;
    case SDL_MOUSEMOTION:
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
    case SDL_MOUSEWHEEL:
      handle_mouse(m, e);
      break;
    default:
      break;
  }
}

void SdlDisplay::handle_key(Machine& m, const SDL_KeyboardEvent& k) {
  const bool pressed = k.state == SDL_PRESSED;
  if (pressed && is_release_hotkey(k)) {
    set_grab(false);
    return;
  }
  const SDL_Scancode sc = k.keysym.scancode;
  if (!pressed && !held_[sc]) return;  // its press went elsewhere (e.g. the hot key)
  held_[sc] = pressed;
  for (const Ps2KeyEvent& ev : sdl_key_events(sc, pressed))
    m.keyboard_controller().keyboard().key(ev.code, ev.extended, ev.pressed);
}

void SdlDisplay::release_held_keys(Machine& m) {
  for (size_t sc = 0; sc < held_.size(); ++sc) {
    if (!held_[sc]) continue;
    held_[sc] = false;
    for (const Ps2KeyEvent& ev : sdl_key_events(SDL_Scancode(sc), false))
      m.keyboard_controller().keyboard().key(ev.code, ev.extended, ev.pressed);
  }
}

void SdlDisplay::handle_mouse(Machine& m, const SDL_Event& e) {
  if (!grabbed_) {
    if (e.type == SDL_MOUSEBUTTONUP && e.button.button == SDL_BUTTON_LEFT) set_grab(true);
    return;  // the grabbing click itself is not the guest's
  }
  Ps2Mouse& mouse = m.keyboard_controller().mouse();
  switch (e.type) {
    case SDL_MOUSEMOTION:
      mouse.move(e.motion.xrel, -e.motion.yrel, buttons_);  // PS/2: y grows upwards
      break;
    case SDL_MOUSEWHEEL: {
      const int up = e.wheel.direction == SDL_MOUSEWHEEL_FLIPPED ? -e.wheel.y : e.wheel.y;
      mouse.move(0, 0, buttons_, -up);  // IntelliMouse: positive = towards the user
      break;
    }
    default:  // a button: the state as of this event (several may wait in one poll)
      if (e.type == SDL_MOUSEBUTTONDOWN) buttons_ |= ps2_button(e.button.button);
      else buttons_ &= uint8_t(~ps2_button(e.button.button));
      mouse.move(0, 0, buttons_);
      break;
  }
}

void SdlDisplay::set_grab(bool grab) {
  if (grab == grabbed_) return;
  if (SDL_SetRelativeMouseMode(grab ? SDL_TRUE : SDL_FALSE) != 0 && grab) return;
  grabbed_ = grab;
  buttons_ = 0;
  next_title_ns_ = 0;  // show the release hint (or drop it) at once
}

void SdlDisplay::redraw_if_changed(Machine& m) {
  Vga* vga = m.vga();
  const VgaLineSpan changed = vga ? vga->update_view(view_) : VgaLineSpan{};
  const VgaFrame& f = view_.frame;
  if (f.width == 0 || f.height == 0) {  // no VGA, or no mode set up yet: a black screen
    if (must_redraw_) present();
    must_redraw_ = false;
    return;
  }
  if (f.width != frame_w_ || f.height != frame_h_) resize_for(f.width, f.height);
  const VgaLineSpan upload = must_redraw_ ? VgaLineSpan{0, f.height} : changed;
  if (upload.empty()) return;
  const SDL_Rect rect{0, int(upload.first), int(f.width), int(upload.end - upload.first)};
  SDL_UpdateTexture(texture_, &rect, &f.pixels[size_t(upload.first) * f.width], int(f.width * 4));
  must_redraw_ = false;
  present();
}

void SdlDisplay::resize_for(unsigned width, unsigned height) {
  if (texture_) SDL_DestroyTexture(texture_);
  texture_ = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING,
                               int(width), int(height));
  if (!texture_) throw sdl_error("cannot create a texture");
  const std::vector<uint32_t> black(size_t(width) * height, 0);  // until the first frame arrives
  SDL_UpdateTexture(texture_, nullptr, black.data(), int(width * 4));
  frame_w_ = width;
  frame_h_ = height;
  SDL_RenderSetLogicalSize(renderer_, int(width), int(height));
  if (!(SDL_GetWindowFlags(window_) & (SDL_WINDOW_MAXIMIZED | SDL_WINDOW_FULLSCREEN))) fit_window(width, height);
  must_redraw_ = true;
}

void SdlDisplay::fit_window(unsigned width, unsigned height) {
  const double scale = width < kSmallModeWidth ? 2 : 1;
  int w = int(width * scale), h = int(height * scale);
  SDL_Rect usable;
  const int display = SDL_GetWindowDisplayIndex(window_);
  if (display < 0 || SDL_GetDisplayUsableBounds(display, &usable) != 0) {
    SDL_SetWindowSize(window_, w, h);
    return;
  }
  // A mode larger than the screen (1280x1024 on a laptop) gets a smaller window, aspect kept
  // (the picture is scaled), and the window is moved back onto the screen if it hangs off it.
  const int room_h = std::max(1, usable.h - kWindowDecorationAllowance);
  const double fit = std::min({1.0, double(usable.w) / w, double(room_h) / h});
  w = std::max(1, int(w * fit));
  h = std::max(1, int(h * fit));
  SDL_SetWindowSize(window_, w, h);
  int x = 0, y = 0;
  SDL_GetWindowPosition(window_, &x, &y);
  const int nx = std::clamp(x, usable.x, std::max(usable.x, usable.x + usable.w - w));
  const int ny = std::clamp(y, usable.y, std::max(usable.y, usable.y + room_h - h));
  if (nx != x || ny != y) SDL_SetWindowPosition(window_, nx, ny);
}

void SdlDisplay::present() {
  SDL_SetRenderDrawColor(renderer_, 0, 0, 0, 255);
  SDL_RenderClear(renderer_);
  if (texture_) SDL_RenderCopy(renderer_, texture_, nullptr, nullptr);
  SDL_RenderPresent(renderer_);
}

void SdlDisplay::update_title(Machine& m, uint64_t now_ns) {
  const uint64_t insns = m.cpu().s.icount;
  const double seconds = title_ns_ ? double(now_ns - title_ns_) / 1e9 : 0;
  const double mips = seconds > 0 ? double(insns - title_insns_) / seconds / 1e6 : 0;
  // "halted": the CPU sits in HLT and retired nothing since the last update.
  const char* state = m.paused()                                    ? "paused"
                      : m.cpu().halted() && insns == title_insns_ ? "halted"
                                                                    : "running";
  char text[160];
  std::snprintf(text, sizeof text, "bt86 \u2014 %s \u2014 %.1f MIPS%s", state, mips,
                grabbed_ ? " \u2014 press Ctrl+Alt+G to release the mouse" : "");
  if (title_ != text) {
    title_ = text;
    SDL_SetWindowTitle(window_, text);
  }
  title_insns_ = insns;
  title_ns_ = now_ns;
  next_title_ns_ = now_ns + kTitleIntervalNs;
}

}  // namespace bt86
