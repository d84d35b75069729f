// Hardware task switching through TSS descriptors and task gates (JMP, CALL, interrupts and
// exceptions via task gates, IRET with NT set), for 32-bit and 16-bit TSSs, and the TSS fields
// other system code reads: the inner-ring stack pointers used by privilege changes.
#pragma once
#include <cstdint>
#include "cpu/cpu.h"

namespace bt86 {

enum class TaskSwitchSource : uint8_t { Jmp, Call, Interrupt, Iret };

// TSS layout facts shared with the I/O permission check.
constexpr uint32_t kTss32MinLimit = 0x67, kTss16MinLimit = 0x2B;
constexpr uint32_t kTssIoMapBaseOffset = 0x66;  // 32-bit TSS: I/O permission bitmap offset (word)
constexpr uint32_t kTssBackLinkOffset = 0;       // both formats: previous task's selector

inline bool tss_is_32bit(const Segment& tss) { return tss.type() & 8; }

struct InnerStack {
  uint16_t ss;
  uint32_t esp;
};
// SS:ESP for privilege level `dpl` from the current TSS; #TS(TR selector) if outside its limit.
InnerStack tss_inner_stack(Cpu& cpu, uint8_t dpl);

// Switches to the task whose TSS descriptor `tss_sel` selects. JMP/CALL/Interrupt need an
// available TSS (else #GP(sel)), IRET a busy one (else #TS(sel)); not present raises #NP(sel).
// `return_eip` is saved as the outgoing task's EIP. Busy bits, NT and the back link follow the
// source; CR0.TS is set. Faults up to the commit point leave the old task untouched; faults while
// loading the new task's LDT and segment registers occur in the new task's context.
// Afterwards s.eip is the new task's EIP (callers of handlers set next_eip from it).
void switch_task(Cpu& cpu, uint16_t tss_sel, TaskSwitchSource source, uint32_t return_eip);

}  // namespace bt86
