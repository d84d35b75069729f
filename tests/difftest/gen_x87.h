// Templates of the x87 groups, shared between gen_x87.cpp (data movement, control, the group
// entry points) and gen_x87_arith.cpp (arithmetic, transcendental, compares, FCMOVcc).
#pragma once
#include "generator.h"

namespace difftest {

// Memory operand formats of x87 instructions.
enum class FpuMem { F32, F64, F80, I16, I32, I64, Bcd };

unsigned fpu_mem_size(FpuMem k);
// A memory operand of format k; for reads the location is pre-filled with a random value of
// that format.
ZydisEncoderOperand x87_mem(GenContext& c, FpuMem k, bool write);

void x87_load(GenContext& c);
void x87_store(GenContext& c);
void x87_stack(GenContext& c);
void x87_control(GenContext& c, bool unmask);
void x87_arith(GenContext& c);
void x87_unary(GenContext& c);
void x87_compare(GenContext& c);
void x87_fcmov(GenContext& c);

}  // namespace difftest
