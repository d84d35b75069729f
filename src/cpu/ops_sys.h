// Binders of the system instruction family (see table_sys.inc): segment loads, far control
// transfers, interrupts/IRET, flags with IOPL rules, descriptor-table and control/debug register
// instructions, CPUID/MSR/TSC, HLT, task switching entry points.
#pragma once
#include "cpu/insn_table.h"

namespace bt86 {

// Forms of shared mnemonics whose rows live in the integer table but whose implementation is
// system code: the integer binders delegate to these.
Handler bind_mov_system(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);    // MOV with Sreg/CRn/DRn operand
Handler bind_push_pop_seg(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);  // PUSH/POP Sreg
Handler bind_far_branch(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);    // far JMP/CALL/RET

}  // namespace bt86
