// Incremental display updates (Vga::update_view, see vga.h): what changed since a display last
// drew, from the register generation, the text blink phase and the VRAM dirty-page log.
//   - Registers changed (mode, palette, start address, cursor ...), or the blink phase stepped:
//     the whole frame is rendered again and compared line by line with the shown one.
//   - Only VRAM written, linear VBE mode: just the lines whose bytes lie in dirty pages are
//     rendered (a blinking fbcon cursor: a few lines; an idle guest: nothing).
//   - Only VRAM written, other modes (text, planar, mode 13h; at most 640x480): whole frame, as
//     in the first case; these frames are small.
#include <cstring>
#include <utility>

#include "devices/vga.h"

namespace bt86 {

namespace {

// The lines in which `fresh` differs from `shown` (all of them if the size changed).
VgaLineSpan changed_lines(const VgaFrame& shown, const VgaFrame& fresh) {
  if (shown.width != fresh.width || shown.height != fresh.height) return {0, fresh.height};
  const size_t row_bytes = size_t(fresh.width) * sizeof(uint32_t);
  auto same = [&](unsigned y) {
    return std::memcmp(&shown.pixels[size_t(y) * fresh.width], &fresh.pixels[size_t(y) * fresh.width], row_bytes) == 0;
  };
  VgaLineSpan span{0, fresh.height};
  while (span.first < span.end && same(span.first)) ++span.first;
  while (span.end > span.first && same(span.end - 1)) --span.end;
  return span;
}

}  // namespace

VgaLineSpan Vga::update_view(VgaView& view) {
  require_vram("update_view");
  if (view.dirty.pages() != vram_log_.bytes() / PageSet::kPageSize) view.dirty = PageSet(vram_log_.bytes());
  vram_log_.take(view.dirty);
  const unsigned blink = blink_phase();
  const bool state_changed = view.generation != generation_ || view.blink != blink;
  if (!state_changed && view.dirty.empty()) return {};
  view.generation = generation_;
  view.blink = blink;

  if (!state_changed && vbe_linear() && view.frame.width == dispi_[dispi::kXres] &&
      view.frame.height == dispi_[dispi::kYres]) {
    VgaLineSpan span{view.frame.height, 0};
    const uint32_t shown_bytes = vbe_shown_bytes();
    for (unsigned y = 0; y < view.frame.height; ++y) {
      if (!view.dirty.any_in(vbe_line_start(y), shown_bytes)) continue;
      render_vbe_lines(view.frame, y, y + 1);
      if (span.first > y) span.first = y;
      span.end = y + 1;
    }
    return span.empty() ? VgaLineSpan{} : span;
  }
  VgaFrame fresh = render();
  const VgaLineSpan span = changed_lines(view.frame, fresh);
  view.frame = std::move(fresh);
  return span;
}

}  // namespace bt86
