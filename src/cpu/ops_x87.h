// Binders of the x87 instruction family (see table_x87.inc).
//  * Numeric instructions (loads, stores, arithmetic, compares, transcendental, stack and tag
//    manipulation) are replayed on the host FPU: ops_x87_exec.cpp, fpu_host.h.
//  * Control instructions (FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW, WAIT, legacy no-ops):
//    ops_x87_control.cpp.
//  * State save/restore (FNSTENV, FLDENV, FNSAVE, FRSTOR, FXSAVE, FXRSTOR): ops_x87_env.cpp.
#pragma once
#include "cpu/insn_table.h"

namespace bt86 {

// Numeric instruction whose memory operand, if any, is read (2/4/8/10 bytes).
Handler bind_x87_numeric(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
// Numeric instruction whose memory operand, if any, is written (FST FSTP FIST FISTP FBSTP).
Handler bind_x87_store(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
// Register compare that sets EFLAGS (FCOMI FCOMIP FUCOMI FUCOMIP).
Handler bind_x87_compare_eflags(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);

Handler bind_fninit(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
Handler bind_fnclex(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
Handler bind_fldcw(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
Handler bind_fnstcw(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
Handler bind_fnstsw(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
Handler bind_fwait(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
// FENI, FDISI (8087) and FSETPM (287): no operation on the 387 and later.
Handler bind_x87_legacy_nop(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);

Handler bind_fnstenv(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
Handler bind_fldenv(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
Handler bind_fnsave(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
Handler bind_frstor(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
Handler bind_fxsave(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);
Handler bind_fxrstor(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);

}  // namespace bt86
