// Keeps the CPU's decoded-code cache consistent with memory changes the CPU does not make itself:
// PhysMem reports RAM written by devices/DMA/loaders and shadow (PAM) switches to its content
// listeners, and this one forwards each affected 4 KiB page holding decoded code to
// Cpu::note_code_write (CPU stores are tracked by the CPU's own write path). The listener's
// owner is the Cpu, so it goes with the Cpu's own listeners when the Cpu is destroyed.
#pragma once
#include "cpu/cpu.h"
#include "mmu/phys_mem.h"

namespace bt86 {

ListenerId track_content_changes(PhysMem& mem, Cpu& cpu);

}  // namespace bt86
