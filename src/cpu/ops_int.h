// Binders of the integer instruction family (see table_int.inc): each inspects the decoded
// operands and returns the handler specialised for their sizes and kinds, or nullptr for a form
// that is not implemented. Implementations live in the ops_*.cpp file named in the table row.
#pragma once
#include "cpu/insn_table.h"

namespace bt86 {

#define BT86_INT_BINDER(name) \
  Handler name(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops)

// ops_alu.cpp
BT86_INT_BINDER(bind_alu);          // ADD OR ADC SBB AND SUB XOR CMP TEST
BT86_INT_BINDER(bind_unary);        // INC DEC NEG NOT
// ops_shift.cpp
BT86_INT_BINDER(bind_shift);        // ROL ROR RCL RCR SHL(=SAL) SHR SAR
BT86_INT_BINDER(bind_double_shift); // SHLD SHRD
// ops_muldiv.cpp
BT86_INT_BINDER(bind_mul);          // MUL, IMUL (1, 2 and 3 operands)
BT86_INT_BINDER(bind_div);          // DIV IDIV
// ops_bcd.cpp
BT86_INT_BINDER(bind_bcd);          // DAA DAS AAA AAS AAM AAD
// ops_bits.cpp
BT86_INT_BINDER(bind_bit_test);     // BT BTS BTR BTC
BT86_INT_BINDER(bind_bit_scan);     // BSF BSR (TZCNT LZCNT encodings run as BSF BSR)
BT86_INT_BINDER(bind_bswap);        // BSWAP
// ops_move.cpp
BT86_INT_BINDER(bind_mov);          // MOV (GPR/mem/imm/moffs; system forms delegated)
BT86_INT_BINDER(bind_movx);         // MOVZX MOVSX
BT86_INT_BINDER(bind_lea);          // LEA
BT86_INT_BINDER(bind_cmov);         // CMOVcc
BT86_INT_BINDER(bind_setcc);        // SETcc
BT86_INT_BINDER(bind_convert);      // CBW CWDE CWD CDQ
BT86_INT_BINDER(bind_xlat);         // XLAT
// ops_exchange.cpp
BT86_INT_BINDER(bind_xchg);         // XCHG
BT86_INT_BINDER(bind_xadd);         // XADD
BT86_INT_BINDER(bind_cmpxchg);      // CMPXCHG
BT86_INT_BINDER(bind_cmpxchg8b);    // CMPXCHG8B
// ops_misc.cpp
BT86_INT_BINDER(bind_flag_op);      // LAHF SAHF CLC STC CMC CLD STD SALC
BT86_INT_BINDER(bind_nop);          // NOP (incl. 0F 1F /0 and hint NOPs) PAUSE ENDBR32/64 PREFETCHh
BT86_INT_BINDER(bind_bound);        // BOUND
// ops_stack.cpp
BT86_INT_BINDER(bind_push);         // PUSH (GPR, imm, mem; Sreg delegated)
BT86_INT_BINDER(bind_pop);          // POP (GPR, mem; Sreg delegated)
BT86_INT_BINDER(bind_pusha);        // PUSHA PUSHAD
BT86_INT_BINDER(bind_popa);         // POPA POPAD
BT86_INT_BINDER(bind_enter);        // ENTER
BT86_INT_BINDER(bind_leave);        // LEAVE
// ops_branch.cpp
BT86_INT_BINDER(bind_jmp);          // JMP near (far delegated)
BT86_INT_BINDER(bind_jcc);          // Jcc
BT86_INT_BINDER(bind_call);         // CALL near (far delegated)
BT86_INT_BINDER(bind_ret);          // RET near (far delegated)
BT86_INT_BINDER(bind_loop);         // LOOP LOOPE LOOPNE JCXZ JECXZ
// ops_string.cpp
BT86_INT_BINDER(bind_string);       // MOVS CMPS SCAS LODS STOS INS OUTS (B/W/D)
// ops_io.cpp
BT86_INT_BINDER(bind_in);           // IN
BT86_INT_BINDER(bind_out);          // OUT

#undef BT86_INT_BINDER

}  // namespace bt86
