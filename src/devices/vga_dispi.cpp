// The Bochs VBE "DISPI" interface (see vga.h): an index port (0x1CE) and a 16-bit data port
// (0x1CF). The BIOS writes ID, resolution and depth, then ENABLE; enabling computes the virtual
// screen (VIRT_WIDTH = XRES, VIRT_HEIGHT = as many lines as VRAM holds), zeroes the panning
// offsets and clears the visible frame unless NOCLEARMEM is set. With GETCAPS set in ENABLE,
// reads of XRES/YRES/BPP return the largest supported values.
#include <algorithm>
#include <cstring>

#include "devices/vga.h"

namespace bt86 {

namespace {

bool valid_bpp(uint16_t bpp) {
  return bpp == 4 || bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

constexpr uint16_t kEnableBits =
    dispi::kEnabled | dispi::kGetCaps | dispi::k8BitDac | dispi::kLfbEnabled | dispi::kNoClearMem;

}  // namespace

uint16_t Vga::dispi_read(uint16_t index) const {
  using namespace dispi;
  if (dispi_[kEnable] & kGetCaps) {
    if (index == kXres) return kMaxXres;
    if (index == kYres) return kMaxYres;
    if (index == kBpp) return kMaxBpp;
  }
  if (index == kVideoMemory64K) return uint16_t(kVramBytes >> 16);
  return index < kCount ? dispi_[index] : 0;
}

void Vga::dispi_write(uint16_t index, uint16_t value) {
  using namespace dispi;
  switch (index) {
    case kId:
      if (value >= kId0 && value <= kId5) dispi_[kId] = value;
      break;
    case kXres:
      if (value <= kMaxXres && value % 8 == 0) dispi_[kXres] = value;
      break;
    case kYres:
      if (value <= kMaxYres) dispi_[kYres] = value;
      break;
    case kBpp:
      if (value == 0) value = 8;
      if (valid_bpp(value)) dispi_[kBpp] = value;
      break;
    case kBank:
      if (value < (kVramBytes >> 16)) dispi_[kBank] = value;
      break;
    case kEnable:
      dispi_enable(value & kEnableBits);
      break;
    case kVirtWidth: {
      const uint32_t line_bytes = vbe_line_bytes(value);
      if (value < dispi_[kXres] || line_bytes == 0) break;
      dispi_[kVirtWidth] = value;
      dispi_[kVirtHeight] = uint16_t(std::min<uint32_t>(kVramBytes / line_bytes, 0xFFFF));
      break;
    }
    case kXOffset:
    case kYOffset:
      dispi_[index] = value;
      break;
    default:
      break;  // VIRT_HEIGHT and VIDEO_MEMORY_64K are read-only
  }
}

void Vga::dispi_enable(uint16_t value) {
  using namespace dispi;
  const bool was_enabled = dispi_[kEnable] & kEnabled;
  dispi_[kEnable] = value;
  if (!(value & kEnabled) || was_enabled) return;
  if (dispi_[kBpp] == 0) dispi_[kBpp] = 8;
  const uint32_t line_bytes = vbe_line_bytes(dispi_[kXres]);
  dispi_[kVirtWidth] = dispi_[kXres];
  dispi_[kVirtHeight] =
      line_bytes ? uint16_t(std::min<uint32_t>(kVramBytes / line_bytes, 0xFFFF)) : 0;
  dispi_[kXOffset] = dispi_[kYOffset] = 0;
  dispi_[kBank] = 0;
  if (!(value & kNoClearMem))
    std::memset(vram_.data(), 0, std::min<size_t>(size_t(line_bytes) * dispi_[kYres], kVramBytes));
  gr_[6] |= 0x01;  // graphics mode, as the VGA side of a VBE mode
}

bool Vga::set_vbe_mode(uint16_t xres, uint16_t yres, uint16_t bpp) {
  require_vram("set_vbe_mode");
  using namespace dispi;
  const bool bpp_ok = bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
  if (!bpp_ok || xres == 0 || xres % 8 || yres == 0 || xres > kMaxXres || yres > kMaxYres ||
      uint64_t(xres) * yres * ((bpp + 7) / 8) > kVramBytes)
    return false;
  dispi_write(kEnable, 0);
  dispi_write(kXres, xres);
  dispi_write(kYres, yres);
  dispi_write(kBpp, bpp);
  dispi_write(kEnable, kEnabled | kLfbEnabled);
  ++generation_;
  return true;
}

}  // namespace bt86
