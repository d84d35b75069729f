// -d tracing for the interpreter: in_asm (each newly decoded block disassembled with Capstone),
// cpu (register state before each block), exec (each block's address), int (interrupts and
// exceptions). Output goes to cpu.trace.out (-D FILE).
#pragma once
#include <cstdint>
#include "cpu/block.h"
#include "cpu/cpu.h"

namespace bt86 {

void trace_block_asm(Cpu& cpu, const Block& b, uint32_t lin);
// The block's guest instructions (read from guest memory), one per line, Capstone syntax.
void disassemble_block(PhysMem& mem, const Block& b, FILE* out);
// Host (x86-64) code, one instruction per line, Capstone syntax (the translator's out_asm).
void disassemble_host(const uint8_t* code, size_t size, FILE* out);
void trace_block_state(Cpu& cpu, const Block& b);
void trace_interrupt(Cpu& cpu, uint8_t vector, IntKind kind, int32_t error);
// Register dump in the style of QEMU's -d cpu, used by traces and fatal error reports.
void dump_registers(const CpuState& s, FILE* out);

}  // namespace bt86
