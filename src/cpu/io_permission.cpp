// I/O protection for IN/OUT/INS/OUTS (Cpu::check_io): in protected mode with CPL > IOPL, and
// always in virtual-8086 mode, every port of the access must be allowed (bit clear) in the I/O
// permission bitmap of the current 32-bit TSS; otherwise #GP(0).
#include "cpu/cpu.h"
#include "cpu/task_switch.h"

namespace bt86 {

void Cpu::check_io(uint16_t port, unsigned size) {
  if (!s.protected_mode() || (!s.v86() && s.cpl <= s.iopl())) return;
  const Segment& tss = s.tr;
  // Only a 32-bit TSS has a bitmap; a 16-bit TSS (or a too short one) denies everything.
  if (!tss.present() || tss.s() || !tss_is_32bit(tss) || tss.limit < kTss32MinLimit) guest_fault(vec::GP, 0);
  const uint32_t bitmap = read_sys<uint16_t>(tss.base + kTssIoMapBaseOffset);
  const uint32_t byte = bitmap + port / 8;
  // The access may straddle two bitmap bytes: both must be inside the TSS.
  if (byte + 1 > tss.limit) guest_fault(vec::GP, 0);
  const uint32_t bits = read_sys<uint16_t>(tss.base + byte);
  const uint32_t wanted = ((1u << size) - 1) << (port & 7);
  if (bits & wanted) guest_fault(vec::GP, 0);
}

}  // namespace bt86
