// Binders of the system instruction family (see table_sys.inc): segment loads, far control
// transfers, interrupts/IRET, flags with IOPL rules, descriptor-table and control/debug register
// instructions, CPUID/MSR/TSC, HLT, task switching entry points.
#pragma once
#include "cpu/insn_table.h"

namespace bt86 {

#define BT86_SYS_BINDER(name) Handler name(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops)

// Forms of shared mnemonics whose rows live in the integer table but whose implementation is
// system code: the integer binders delegate to these.
BT86_SYS_BINDER(bind_mov_system);    // MOV with Sreg/CRn/DRn operand (ops_segment.cpp)
BT86_SYS_BINDER(bind_push_pop_seg);  // PUSH/POP Sreg (ops_segment.cpp)
BT86_SYS_BINDER(bind_far_branch);    // far JMP/CALL/RET (ops_far.cpp)

// ops_segment.cpp
BT86_SYS_BINDER(bind_load_far_pointer);  // LDS LES LFS LGS LSS
// ops_far.cpp
BT86_SYS_BINDER(bind_iret);              // IRET IRETD
// ops_flags_sys.cpp
BT86_SYS_BINDER(bind_pushf);
BT86_SYS_BINDER(bind_popf);
BT86_SYS_BINDER(bind_cli);
BT86_SYS_BINDER(bind_sti);
// ops_sysreg.cpp
BT86_SYS_BINDER(bind_mov_cr_dr);         // MOV to/from CRn/DRn (reached via bind_mov_system)
BT86_SYS_BINDER(bind_load_table_reg);    // LGDT LIDT
BT86_SYS_BINDER(bind_store_table_reg);   // SGDT SIDT
BT86_SYS_BINDER(bind_lldt);
BT86_SYS_BINDER(bind_ltr);
BT86_SYS_BINDER(bind_store_sys_selector);  // SLDT STR
BT86_SYS_BINDER(bind_lmsw);
BT86_SYS_BINDER(bind_smsw);
BT86_SYS_BINDER(bind_clts);
BT86_SYS_BINDER(bind_invlpg);
BT86_SYS_BINDER(bind_cache_flush);       // INVD WBINVD
BT86_SYS_BINDER(bind_rsm);
BT86_SYS_BINDER(bind_lar_lsl);           // LAR LSL
BT86_SYS_BINDER(bind_verify_segment);    // VERR VERW
BT86_SYS_BINDER(bind_arpl);
// ops_cpuid_msr.cpp
BT86_SYS_BINDER(bind_cpuid);
BT86_SYS_BINDER(bind_rdtsc);
BT86_SYS_BINDER(bind_rdpmc);
BT86_SYS_BINDER(bind_rdmsr);
BT86_SYS_BINDER(bind_wrmsr);
BT86_SYS_BINDER(bind_sysenter);
BT86_SYS_BINDER(bind_sysexit);
// ops_control.cpp
BT86_SYS_BINDER(bind_int);               // INT n, INT3, INTO, INT1 (ICEBP)
BT86_SYS_BINDER(bind_hlt);
BT86_SYS_BINDER(bind_undefined);         // UD0 UD1 UD2

#undef BT86_SYS_BINDER

}  // namespace bt86
