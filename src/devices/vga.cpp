// VGA register files and port decoding (see vga.h). Word and dword accesses to the VGA ports are
// split into byte accesses to consecutive ports (`out dx, ax` to 0x3C4 writes index then data, as
// on the ISA bus); the DISPI ports take 16-bit values whole.
#include "devices/vga.h"

#include <stdexcept>

namespace bt86 {

namespace {

constexpr uint16_t kFirstPort = 0x3B0, kPortCount = 0x30;

// Input status 1 timing: a 70 Hz frame of 449 lines (mode 3's 720x400 timing), of which 400 are
// displayed; each line shows for 80% of its time. Retrace is the two lines after line 412.
constexpr uint64_t kFrameNs = 1'000'000'000ull / 70;
constexpr uint64_t kLines = 449, kDisplayedLines = 400, kRetraceLine = 412, kRetraceLines = 2;
constexpr uint8_t kStatusNotDisplaying = 0x01, kStatusRetrace = 0x08;

}  // namespace

void Vga::require_vram(const char* what) const {
  if (vram_.empty()) throw std::logic_error(std::string("VGA: ") + what + " before attach() (no VRAM yet)");
}

std::string VgaTextScreen::row_text(unsigned row) const {
  std::string s;
  for (unsigned c = 0; c < cols; ++c) s += char_at(c, row) ? char_at(c, row) : ' ';
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

Vga::Vga(const VirtualClock* clock) : clock_(clock) { reset(); }

void Vga::attach(IoBus& io, PhysMem& mem) {
  if (!vram_.empty()) throw std::logic_error("VGA: attached twice");
  vram_ = mem.alloc_device_ram(kVramBytes, "vga vram");  // all zeros
  io.register_ports(kFirstPort, kPortCount, this);
  io.register_ports(dispi::kIndexPort, 2, this);
  mem.add_mmio(kWindowBase, kWindowSize, this, "vga-window");
}

void Vga::reset() {
  ++generation_;
  misc_ = 0;
  seq_index_ = gr_index_ = crtc_index_ = attr_index_ = 0;
  attr_flipflop_data_ = false;
  seq_.fill(0);
  gr_.fill(0);
  crtc_.fill(0);
  attr_.fill(0);
  feature_ = 0;
  vga_enable_ = 1;
  dac_mask_ = 0xFF;
  dac_read_index_ = dac_write_index_ = dac_component_ = 0;
  dac_reading_ = false;
  dac_.fill(0);
  latch_ = 0;
  dispi_index_ = 0;
  dispi_.fill(0);
  dispi_[dispi::kId] = dispi::kId5;
}

uint32_t Vga::io_read(uint16_t port, unsigned size) {
  if (port == dispi::kIndexPort) return dispi_index_;
  if (port == dispi::kDataPort) return dispi_read(dispi_index_);
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint32_t(read_port(uint16_t(port + i))) << (8 * i);
  return v;
}

void Vga::io_write(uint16_t port, uint32_t value, unsigned size) {
  ++generation_;
  if (port == dispi::kIndexPort) { dispi_index_ = uint16_t(value); return; }
  if (port == dispi::kDataPort) { dispi_write(dispi_index_, uint16_t(value)); return; }
  for (unsigned i = 0; i < size; ++i) write_port(uint16_t(port + i), uint8_t(value >> (8 * i)));
}

unsigned Vga::blink_phase() const {
  if (!clock_ || !text_mode()) return 3;
  const uint64_t frame = clock_->now_ns() / kFrameNs;
  return unsigned((frame >> 3 & 1) ^ 1) | unsigned((frame >> 4 & 1) ^ 1) << 1;
}

uint8_t Vga::input_status_1() {
  attr_flipflop_data_ = false;  // reading input status 1 resets the attribute flip-flop
  if (!clock_) {                // no time source: alternate so that wait loops end
    ++status_toggle_;
    return uint8_t((status_toggle_ & 1 ? kStatusNotDisplaying : 0) |
                   (status_toggle_ & 2 ? kStatusRetrace | kStatusNotDisplaying : 0));
  }
  const uint64_t in_frame = clock_->now_ns() % kFrameNs;
  const uint64_t line_ns = kFrameNs / kLines;
  const uint64_t line = in_frame / line_ns, in_line = in_frame % line_ns;
  uint8_t status = 0;
  if (line >= kDisplayedLines || in_line >= line_ns * 4 / 5) status |= kStatusNotDisplaying;
  if (line >= kRetraceLine && line < kRetraceLine + kRetraceLines) status |= kStatusRetrace;
  return status;
}

uint8_t Vga::read_port(uint16_t port) {
  // The CRTC and status ports of the inactive (mono/colour) set are not decoded.
  if ((port >= 0x3B0 && port <= 0x3BF && !mono()) || (port >= 0x3D0 && port <= 0x3DF && mono()))
    return 0xFF;
  switch (port) {
    case 0x3C0: return attr_index_;
    case 0x3C1: return attr_[attr_index_ & 0x1F];
    case 0x3C2: return 0;  // input status 0: no retrace interrupt pending, switch sense 0
    case 0x3C3: return vga_enable_;
    case 0x3C4: return seq_index_;
    case 0x3C5: return seq_[seq_index_ & 7];
    case 0x3C6: return dac_mask_;
    case 0x3C7: return dac_reading_ ? 0x03 : 0x00;
    case 0x3C8: return dac_write_index_;
    case 0x3C9: return read_dac_data();
    case 0x3CA: return feature_;
    case 0x3CC: return misc_;
    case 0x3CE: return gr_index_;
    case 0x3CF: return gr_[gr_index_ & 0x0F];
    case 0x3B4: case 0x3D4: return crtc_index_;
    case 0x3B5: case 0x3D5: return crtc_[crtc_index_ & 0x1F];
    case 0x3BA: case 0x3DA: return input_status_1();
    default: return 0xFF;
  }
}

void Vga::write_port(uint16_t port, uint8_t value) {
  if ((port >= 0x3B0 && port <= 0x3BF && !mono()) || (port >= 0x3D0 && port <= 0x3DF && mono()))
    return;
  switch (port) {
    case 0x3C0: write_attribute(value); break;
    case 0x3C2: misc_ = value; break;
    case 0x3C3: vga_enable_ = value & 1; break;
    case 0x3C4: seq_index_ = value; break;
    case 0x3C5: seq_[seq_index_ & 7] = value; break;
    case 0x3C6: dac_mask_ = value; break;
    case 0x3C7: dac_read_index_ = value; dac_component_ = 0; dac_reading_ = true; break;
    case 0x3C8: dac_write_index_ = value; dac_component_ = 0; dac_reading_ = false; break;
    case 0x3C9: write_dac_data(value); break;
    case 0x3CE: gr_index_ = value; break;
    case 0x3CF: gr_[gr_index_ & 0x0F] = value; break;
    case 0x3B4: case 0x3D4: crtc_index_ = value; break;
    case 0x3B5: case 0x3D5: write_crtc(value); break;
    case 0x3BA: case 0x3DA: feature_ = value; break;
    default: break;  // read-only or unassigned
  }
}

void Vga::write_crtc(uint8_t value) {
  const uint8_t index = crtc_index_ & 0x1F;
  if (index <= 7 && (crtc_[0x11] & 0x80)) {
    // CR11 bit 7 protects CR0-CR7, except the line compare bit 8 (CR7 bit 4).
    if (index == 7) crtc_[7] = uint8_t((crtc_[7] & ~0x10) | (value & 0x10));
    return;
  }
  crtc_[index] = value;
}

void Vga::write_attribute(uint8_t value) {
  if (!attr_flipflop_data_) {
    attr_index_ = value & 0x3F;  // bits 0-4 index, bit 5 palette address source
  } else {
    attr_[attr_index_ & 0x1F] = value;
  }
  attr_flipflop_data_ = !attr_flipflop_data_;
}

uint8_t Vga::read_dac_data() {
  const uint8_t v = dac_[dac_read_index_ * 3 + dac_component_];
  if (++dac_component_ == 3) { dac_component_ = 0; ++dac_read_index_; }
  return v;
}

void Vga::write_dac_data(uint8_t value) {
  const uint8_t mask = (dispi_[dispi::kEnable] & dispi::k8BitDac) ? 0xFF : 0x3F;
  dac_[dac_write_index_ * 3 + dac_component_] = value & mask;
  if (++dac_component_ == 3) { dac_component_ = 0; ++dac_write_index_; }
}

}  // namespace bt86
