// Exception logic shared by every x87 handler: the device-not-available checks (CR0.EM/TS/MP),
// delivery of a pending unmasked exception at the next waiting x87 instruction (#MF with CR0.NE,
// legacy FERR#/IRQ13 otherwise), which exceptions suppress an instruction's result, and the
// FIP/FCS/FOP/FDP/FDS bookkeeping of non-control instructions.
#pragma once
#include <cstdint>
#include "cpu/fpu_state.h"

namespace bt86 {

class Cpu;
struct Insn;

// Waiting instructions report a pending unmasked exception before executing; the no-wait ones
// (FNINIT, FNCLEX, FNSTSW, FNSTCW, FNSTENV, FNSAVE, FXSAVE, FXRSTOR) do not.
enum class X87Sync : uint8_t { Wait, NoWait };

// Entry checks of an x87 instruction (FWAIT excluded): #NM if CR0.EM or CR0.TS, then, for a
// waiting instruction, the pending-exception check. Changes no state unless it reports.
void x87_enter(Cpu& cpu, X87Sync sync);
// Entry checks of WAIT/FWAIT: #NM only if CR0.MP and CR0.TS are both set, then the pending check.
void fwait_enter(Cpu& cpu);

// Exceptions that, when unmasked, leave the destination (register or memory) untouched: all but
// the precision exception, which is reported after the result is delivered.
constexpr uint16_t kPrecompletionExceptions = fsw::IE | fsw::DE | fsw::ZE | fsw::OE | fsw::UE;
inline bool result_suppressed(uint16_t raised, uint16_t cw) {
  return raised & ~cw & kPrecompletionExceptions;
}

// A non-control instruction ran: remember where it is (FIP/FCS), its opcode (FOP) and, when it
// has a memory operand at offset `data_off`, that operand's address (FDP/FDS).
void x87_record_instruction(Cpu& cpu, const Insn& in);
void x87_record_operand(Cpu& cpu, const Insn& in, uint32_t data_off);

// The 11-bit FOP of an instruction: low 3 bits of the escape byte, then the ModRM byte.
inline uint16_t x87_fop(uint8_t escape, uint8_t modrm) { return uint16_t(((escape & 7u) << 8) | modrm); }

}  // namespace bt86
