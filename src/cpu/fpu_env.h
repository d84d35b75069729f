// Memory images of the x87 state: the FNSTENV/FLDENV environment in its four layouts (16/32-bit
// operand size x real/V86 vs protected mode), the register stack that FNSAVE/FRSTOR append, and
// the 512-byte FXSAVE/FXRSTOR area. Pure conversions between FpuState and bytes; the handlers
// in ops_x87_env.cpp do the memory accesses and checks.
#pragma once
#include <cstdint>
#include "cpu/fpu_state.h"

namespace bt86 {

enum class EnvLayout : uint8_t { Real16, Protected16, Real32, Protected32 };

// Real-mode layouts are used in real-address and virtual-8086 mode.
inline EnvLayout env_layout(bool real_or_v86, unsigned osize) {
  if (osize == 2) return real_or_v86 ? EnvLayout::Real16 : EnvLayout::Protected16;
  return real_or_v86 ? EnvLayout::Real32 : EnvLayout::Protected32;
}
inline unsigned env_bytes(EnvLayout l) { return (l == EnvLayout::Real16 || l == EnvLayout::Protected16) ? 14 : 28; }
constexpr unsigned kStackImageBytes = 8 * 10;  // ST(0)..ST(7), 80 bits each
constexpr unsigned kFxsaveBytes = 512;
constexpr unsigned kFxsaveWrittenBytes = 288;  // up to XMM7; the rest is reserved / available

// Environment: control, status and tag words, instruction and operand pointers, opcode.
void store_env(const FpuState& f, EnvLayout l, uint8_t* out);
// Loads control word, status word and pointers; returns the tag word image, which the caller
// applies with FpuState::load_tags once the registers hold their new contents. Does not
// recompute ES/B (the caller does, after the whole load).
uint16_t load_env(FpuState& f, EnvLayout l, const uint8_t* in);

// The register stack in ST(0)..ST(7) order relative to the current TOP.
void store_stack(const FpuState& f, uint8_t* out);
void load_stack(FpuState& f, const uint8_t* in);

// FXSAVE area: writes bytes 0..kFxsaveWrittenBytes-1.
void store_fxsave(const FpuState& f, uint8_t* out);
// MXCSR in an FXSAVE area (FXRSTOR must check it before loading anything).
uint32_t fxsave_mxcsr(const uint8_t* in);
void load_fxsave(FpuState& f, const uint8_t* in);

// Control word as the register keeps it (reserved bits forced).
inline uint16_t normalize_cw(uint16_t v) { return uint16_t((v & fcw::WRITABLE) | fcw::FORCED_ONE); }

}  // namespace bt86
