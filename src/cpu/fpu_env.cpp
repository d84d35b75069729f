// x87 environment, FNSAVE and FXSAVE memory images (see fpu_env.h). Layouts from the Intel SDM
// vol. 1 figures 8-9 to 8-12 and the FXSAVE table. Reserved halves of 32-bit slots read 0xFFFF,
// as the hardware writes them.
#include "cpu/fpu_env.h"
#include <cstring>

namespace bt86 {

namespace {

void put16(uint8_t* p, unsigned off, uint32_t v) { p[off] = uint8_t(v); p[off + 1] = uint8_t(v >> 8); }
void put32(uint8_t* p, unsigned off, uint32_t v) { put16(p, off, v); put16(p, off + 2, v >> 16); }
uint16_t get16(const uint8_t* p, unsigned off) { return uint16_t(p[off] | (p[off + 1] << 8)); }
uint32_t get32(const uint8_t* p, unsigned off) { return get16(p, off) | (uint32_t(get16(p, off + 2)) << 16); }

constexpr uint32_t kReservedHigh = 0xFFFF0000u;

// Real-mode layouts hold 20/32-bit linear pointers; we keep selector:offset, so convert.
uint32_t linear(uint16_t sel, uint32_t off) { return (uint32_t(sel) << 4) + off; }

}  // namespace

void store_env(const FpuState& f, EnvLayout l, uint8_t* out) {
  const uint32_t ip = linear(f.fcs, f.fip), dp = linear(f.fds, f.fdp);
  switch (l) {
    case EnvLayout::Protected32:
      put32(out, 12, f.fip);
      put32(out, 16, f.fcs | (uint32_t(f.fop & 0x7FF) << 16));
      put32(out, 20, f.fdp);
      put32(out, 24, f.fds | kReservedHigh);
      break;
    case EnvLayout::Real32:
      put32(out, 12, (ip & 0xFFFF) | kReservedHigh);
      put32(out, 16, (f.fop & 0x7FFu) | ((ip >> 16) << 12));
      put32(out, 20, (dp & 0xFFFF) | kReservedHigh);
      put32(out, 24, (dp >> 16) << 12);
      break;
    case EnvLayout::Protected16:
      put16(out, 6, f.fip);
      put16(out, 8, f.fcs);
      put16(out, 10, f.fdp);
      put16(out, 12, f.fds);
      break;
    case EnvLayout::Real16:
      put16(out, 6, ip);
      put16(out, 8, (f.fop & 0x7FFu) | (((ip >> 16) & 0xF) << 12));
      put16(out, 10, dp);
      put16(out, 12, ((dp >> 16) & 0xF) << 12);
      break;
  }
  const bool wide = env_bytes(l) == 28;
  const unsigned step = wide ? 4 : 2;
  const uint16_t words[3] = {f.cw, f.sw, f.tw};
  for (unsigned k = 0; k < 3; ++k) {
    if (wide) put32(out, k * step, words[k] | kReservedHigh);
    else put16(out, k * step, words[k]);
  }
}

uint16_t load_env(FpuState& f, EnvLayout l, const uint8_t* in) {
  const bool wide = env_bytes(l) == 28;
  const unsigned step = wide ? 4 : 2;
  f.cw = normalize_cw(get16(in, 0));
  f.sw = get16(in, step);
  const uint16_t tags = get16(in, 2 * step);
  switch (l) {
    case EnvLayout::Protected32:
      f.fip = get32(in, 12);
      f.fcs = get16(in, 16);
      f.fop = get16(in, 18) & 0x7FF;
      f.fdp = get32(in, 20);
      f.fds = get16(in, 24);
      break;
    case EnvLayout::Real32:
      f.fip = get16(in, 12) | ((get32(in, 16) >> 12) << 16);
      f.fop = get16(in, 16) & 0x7FF;
      f.fdp = get16(in, 20) | ((get32(in, 24) >> 12) << 16);
      f.fcs = f.fds = 0;
      break;
    case EnvLayout::Protected16:
      f.fip = get16(in, 6);
      f.fcs = get16(in, 8);
      f.fdp = get16(in, 10);
      f.fds = get16(in, 12);
      break;
    case EnvLayout::Real16:
      f.fip = get16(in, 6) | (uint32_t(get16(in, 8) >> 12) << 16);
      f.fop = get16(in, 8) & 0x7FF;
      f.fdp = get16(in, 10) | (uint32_t(get16(in, 12) >> 12) << 16);
      f.fcs = f.fds = 0;
      break;
  }
  return tags;
}

void store_stack(const FpuState& f, uint8_t* out) {
  for (unsigned i = 0; i < 8; ++i) f.get_reg80(f.phys(i), out + 10 * i);
}

void load_stack(FpuState& f, const uint8_t* in) {
  for (unsigned i = 0; i < 8; ++i) f.set_reg80(f.phys(i), in + 10 * i);
}

// FXSAVE area offsets.
namespace fx {
constexpr unsigned CW = 0, SW = 2, TAGS = 4, FOP = 6, FIP = 8, FCS = 12, FDP = 16, FDS = 20;
constexpr unsigned MXCSR = 24, MXCSR_MASK = 28, ST = 32, XMM = 160, SLOT = 16;
}  // namespace fx

void store_fxsave(const FpuState& f, uint8_t* out) {
  std::memset(out, 0, kFxsaveWrittenBytes);
  uint8_t abridged = 0;
  for (unsigned p = 0; p < 8; ++p)
    if (f.tag(p) != ftag::Empty) abridged = uint8_t(abridged | (1u << p));
  put16(out, fx::CW, f.cw);
  put16(out, fx::SW, f.sw);
  out[fx::TAGS] = abridged;
  put16(out, fx::FOP, f.fop & 0x7FF);
  put32(out, fx::FIP, f.fip);
  put16(out, fx::FCS, f.fcs);
  put32(out, fx::FDP, f.fdp);
  put16(out, fx::FDS, f.fds);
  put32(out, fx::MXCSR, f.mxcsr);
  put32(out, fx::MXCSR_MASK, kMxcsrMask);
  for (unsigned i = 0; i < 8; ++i) {
    f.get_reg80(f.phys(i), out + fx::ST + fx::SLOT * i);
    std::memcpy(out + fx::XMM + fx::SLOT * i, f.xmm[i], 16);
  }
}

uint32_t fxsave_mxcsr(const uint8_t* in) { return get32(in, fx::MXCSR); }

void load_fxsave(FpuState& f, const uint8_t* in) {
  f.cw = normalize_cw(get16(in, fx::CW));
  f.sw = get16(in, fx::SW);
  f.fop = get16(in, fx::FOP) & 0x7FF;
  f.fip = get32(in, fx::FIP);
  f.fcs = get16(in, fx::FCS);
  f.fdp = get32(in, fx::FDP);
  f.fds = get16(in, fx::FDS);
  f.mxcsr = fxsave_mxcsr(in);
  for (unsigned i = 0; i < 8; ++i) {
    f.set_reg80(f.phys(i), in + fx::ST + fx::SLOT * i);
    std::memcpy(f.xmm[i], in + fx::XMM + fx::SLOT * i, 16);
  }
  uint16_t tags = 0xFFFF;  // abridged bit p clear = R(p) empty
  for (unsigned p = 0; p < 8; ++p)
    if (in[fx::TAGS] & (1u << p)) tags = uint16_t(tags & ~(3u << (2 * p)));
  f.load_tags(tags);
  f.sync_summary();
}

}  // namespace bt86
