// i440FX host bridge: identity, PAM shadow control applied to PhysMem (see i440fx.h).
#include "devices/i440fx.h"

namespace bt86 {

namespace {

constexpr uint8_t kRe = 1, kWe = 2, kCe = 4;

PhysMem::Shadow shadow_mode(uint8_t field) {
  switch (field & (kRe | kWe)) {
    case kRe: return PhysMem::Shadow::ReadOnly;
    case kWe: return PhysMem::Shadow::WriteOnly;
    case kRe | kWe: return PhysMem::Shadow::ReadWrite;
    default: return PhysMem::Shadow::Pci;
  }
}

}  // namespace

I440fx::I440fx(PhysMem& mem)
    : PciDevice(PciId{0x8086, 0x1237, 0x06, 0x00, 0x00, 0x02}), mem_(mem) {
  constexpr uint8_t kField = kRe | kWe | kCe;
  set_write_mask(kPam0, 1, kField << 4);
  for (uint8_t r = kPam0 + 1; r < kPam0 + kPamCount; ++r) set_write_mask(r, 1, kField << 4 | kField);
  cfg(kSmram) = 0x02;  // D_OPEN=0, D_CLS=0, D_LCK=0, G_SMRAME=0, C_BASE_SEG=010 (A0000): read-only
  apply_pam();
}

void I440fx::reset() {
  PciDevice::reset();
  apply_pam();
}

void I440fx::config_written(uint8_t offset, unsigned size) {
  if (offset < kPam0 + kPamCount && offset + size > kPam0) apply_pam();
}

void I440fx::apply_pam() {
  constexpr uint32_t kChunk = PhysMem::kShadowChunk;
  mem_.set_shadow(0xF0000, 0x10000, shadow_mode(cfg(kPam0) >> 4));
  for (unsigned i = 1; i < kPamCount; ++i) {
    const uint32_t base = 0xC0000 + (i - 1) * 2 * kChunk;
    mem_.set_shadow(base, kChunk, shadow_mode(cfg(uint8_t(kPam0 + i))));
    mem_.set_shadow(base + kChunk, kChunk, shadow_mode(cfg(uint8_t(kPam0 + i)) >> 4));
  }
}

}  // namespace bt86
