// A decoded guest instruction in the form the interpreter executes: the handler chosen at decode
// time (specialised by operand size/kind by the group's binder), plus pre-decoded operands.
// Decoding (Zydis) happens once per block; executing an Insn is one indirect call.
#pragma once
#include <cstdint>

namespace bt86 {

class Cpu;
struct Insn;
using Handler = void (*)(Cpu&, const Insn&);

// A repeated string instruction runs at most this many iterations per execution (each one retires
// the instruction once; see ops_string.cpp): translated code runs natively only counts up to it.
constexpr unsigned kRepChunk = 1024;

enum class OpKind : uint8_t {
  None,
  Reg,   // general register; reg = 0-7 (for size 1: AL CL DL BL AH CH DH BH)
  Mem,   // memory operand described by Insn::seg/base/index/scale/disp; size in bytes (0 = none, e.g. LEA/INVLPG)
  Imm,   // immediate in Insn::imm (op 0/1) or Insn::imm2 (second immediate)
  Seg,   // segment register; reg = ES CS SS DS FS GS
  Cr,    // control register; reg = n
  Dr,    // debug register; reg = n
  St,    // x87 stack register; reg = i in ST(i)
  Far,   // far pointer immediate: offset in imm, selector in imm2
  Rel,   // relative branch target: displacement (sign-extended) in imm
  Xmm,   // SSE register (later)
};

struct Operand {
  OpKind kind = OpKind::None;
  uint8_t size = 0;  // bytes
  uint8_t reg = 0;
};

// How an instruction ends its block, if it does (a block's Terminal is its last instruction's,
// or FallThrough/Fallback: see block.h).
enum class Terminal : uint8_t {
  None,            // does not end a block
  FallThrough,     // size cap or page end: continues at the next instruction
  Jump,            // direct JMP/CALL
  Conditional,     // Jcc/LOOPcc/JCXZ
  Indirect,        // JMP/CALL through a register or memory
  Return,          // near RET
  Callout,         // sensitive: far transfer, INT, IRET, HLT, MOV CRn/DRn, LGDT/LIDT/LLDT/LTR,
                   // LMSW/CLTS, INVLPG, WRMSR, SYSENTER/SYSEXIT, UD
  InterruptCheck,  // STI, POPF, MOV SS, POP SS: an interrupt window may open after it
  Fallback,        // not cached: a one-off block (instruction across pages, code in MMIO)
};

struct Insn {
  Handler fn = nullptr;
  uint32_t imm = 0;    // first immediate / relative displacement / far offset
  uint32_t imm2 = 0;   // second immediate (ENTER nesting level, far selector)
  uint32_t disp = 0;   // memory displacement
  uint8_t len = 0;     // instruction length in bytes
  uint8_t osize = 4;   // effective operand size in bytes (Zydis operand_width / 8: 1, 2 or 4; x87 varies)
  uint8_t asize = 4;   // effective address size (2 or 4)
  uint8_t seg = 3;     // segment of the memory operand (after overrides); DS by default
  uint8_t base = 0xFF, index = 0xFF, scale = 0;  // GPR index or 0xFF; scale as shift count 0-3
  uint8_t rep = 0;     // 0 none, 1 REP/REPE/REPZ, 2 REPNE/REPNZ
  uint8_t nops = 0;    // number of explicit (visible) operands
  uint8_t opcode = 0;  // last opcode byte (after 0F / escape), for groups that need it
  uint8_t modrm = 0;   // ModRM byte (0 if none)
  uint16_t mnemonic = 0;  // ZydisMnemonic, for tracing and error messages
  Terminal term = Terminal::None;  // how it ends its block
  Operand op[3];
};

}  // namespace bt86
