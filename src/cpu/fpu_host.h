// Executing guest x87 instructions on the host x87 ("replay").
//
// The host is an x86-64 CPU with a real x87, so a numeric x87 instruction is run by loading the
// guest's FPU state into the host FPU (FRSTOR: registers, tags, TOP, C0-C3, control word with
// the guest's rounding, precision and exception masks), executing the very same instruction
// (same escape byte and ModRM; a memory operand is redirected to a host buffer) and saving the
// state back (FNSAVE). Results, condition codes, exception flags, stack overflow/underflow
// handling, masked responses and the unmasked-exception behaviour (destination untouched, no
// pop, biased exponent on overflow/underflow) are therefore exactly the hardware's.
//
// The host never traps: the guest's exception flags are cleared in the loaded image so nothing
// is pending when the instruction starts, and the state is saved with FNSAVE, a no-wait
// instruction that also reinitialises the host FPU, before any other waiting FPU instruction.
// The guest EFLAGS arithmetic flags are loaded first (SAHF) so FCMOVcc sees them, and the host
// flags are read back (LAHF) for FCOMI and friends.
#pragma once
#include <cstdint>
#include "cpu/fpu_state.h"

namespace bt86 {

// The FNSAVE/FRSTOR image in the 32-bit protected-mode layout (108 bytes).
struct X87Image {
  uint16_t cw, cw_reserved, sw, sw_reserved, tw, tw_reserved;
  uint32_t fip;
  uint16_t fcs, fop;
  uint32_t fdp;
  uint16_t fds, fds_reserved;
  uint8_t st[8][10];  // ST(0)..ST(7)
};
static_assert(sizeof(X87Image) == 108, "FNSAVE image layout");

// Result of running one instruction on the host, not yet applied to the guest.
class HostReplay {
 public:
  // Exception flags (and SF) the instruction raised.
  uint16_t raised() const { return image_.sw & (fsw::EXCEPTIONS | fsw::SF); }
  // Low byte of the host EFLAGS after the instruction (SF ZF AF PF CF, as LAHF gives them).
  uint8_t host_flags() const { return flags_; }
  // Apply registers, tags, TOP, condition codes and the raised flags to the guest state.
  void commit(FpuState& f) const;

 private:
  friend HostReplay replay_on_host(const FpuState&, uint8_t, uint8_t, void*, uint8_t);
  X87Image image_;
  uint8_t flags_ = 0;
};

// Run the x87 instruction with escape byte `escape` (D8-DF) and ModRM `modrm` on the host with
// the guest state `f` loaded. A memory operand reads/writes `mem` (16 bytes at least). The
// low byte of the guest EFLAGS is `eflags`.
HostReplay replay_on_host(const FpuState& f, uint8_t escape, uint8_t modrm, void* mem, uint8_t eflags);

// Resident x87 state: translated code runs x87 instructions natively while the host FPU holds
// the guest's registers, TOP, tags, status and control words. Only while every exception is
// masked (nothing can become pending, so no host instruction ever traps) — x87_can_reside().
// x87_load_resident() loads them (FRSTOR); x87_save_resident() puts them back into `f` (FNSAVE,
// which leaves the host FPU initialised; FIP/FCS/FOP/FDP/FDS in `f` are kept: translated code
// records them itself). Between the two no host code may use the x87 (no long double).
bool x87_can_reside(const FpuState& f);
void x87_load_resident(const FpuState& f);
void x87_save_resident(FpuState& f);

}  // namespace bt86
