// The one table from guest instruction to how the translator implements it. A mnemonic's rule
// says what it becomes in translated code; block_translator.cpp then checks each instance's
// operands (an instance the rule cannot take — FS/GS memory, 16-bit addressing, AH with a REX-only
// register, ... — becomes a callout and is counted as such).
#pragma once
#include <Zydis/Zydis.h>
#include <cstdint>

namespace bt86 {

enum class Rule : uint8_t {
  Callout,       // the interpreter's handler runs it inside translated code (callout_kind says why)
  Ident,         // re-encoded for the host with remapped registers/memory: same operation
  Nop,           // nothing to emit (NOP, PAUSE, hint NOPs with a memory operand)
  Lea,           // address arithmetic only
  Push, Pop,     // stack: inline TLB probe on SS:ESP (flat 32-bit stacks)
  PushState,     // PUSHFD (EFLAGS from CpuState and the guest flags) and 32-bit PUSH Sreg (a
                 // 16-bit store of the selector, the upper half untouched, as the interpreter)
  Leave,
  Jcc,           // conditional branch: host Jcc to two chainable exits
  Jecxz, Loop,   // ECX-based branches (no flags changed)
  Jmp, Call,     // direct: chainable exit (same page) or the inline lookup (other pages)
  JmpIndirect, CallIndirect, Ret,  // the inline lookup of the target
  Div,           // 32-bit DIV/IDIV: inline with a check that calls out where the host would #DE
  DirFlag,       // CLD/STD: EFLAGS.DF in CpuState (host DF stays 0); CLI: EFLAGS.IF there, in
                 // protected mode (not V86) where CPL <= IOPL (the block's mode says), else a callout
  String,        // MOVS/STOS/LODS/SCAS/CMPS (REP/REPE/REPNE): native on the linear view while DF=0
                 // and a REP count fits one interpreter chunk; else a callout
  X87,           // numeric x87: native on the resident host x87, then FIP/FCS/FOP(/FDP/FDS) stored
  X87Control,    // FNSTSW/FNSTCW/FLDCW/FWAIT: native on the resident host x87 (no pointers);
                 // FLDCW calls out instead when the new control word unmasks an exception
};

// The rule for a mnemonic (Rule::Callout for everything not listed).
Rule rule_of(ZydisMnemonic m);
const char* rule_name(Rule r);

}  // namespace bt86
