// x87 control instructions: FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW, WAIT/FWAIT and the legacy
// 8087/287 no-ops. They leave FIP/FOP/FDP alone (only FNINIT clears them). The 9B-prefixed
// forms (FINIT, FCLEX, FSTCW, FSTSW, ...) decode as WAIT followed by the no-wait instruction.
#include <Zydis/Zydis.h>
#include "cpu/cpu.h"
#include "cpu/fpu_env.h"
#include "cpu/fpu_exceptions.h"
#include "cpu/ops_x87.h"

namespace bt86 {

namespace {

void op_fninit(Cpu& cpu, const Insn&) {
  x87_enter(cpu, X87Sync::NoWait);
  cpu.s.fpu.init();
}

void op_fnclex(Cpu& cpu, const Insn&) {
  x87_enter(cpu, X87Sync::NoWait);
  cpu.s.fpu.sw &= uint16_t(~(fsw::EXCEPTIONS | fsw::SF | fsw::ES | fsw::B));
}

void op_fldcw(Cpu& cpu, const Insn& in) {
  x87_enter(cpu, X87Sync::Wait);
  uint16_t v = cpu.read<uint16_t>(in.seg, cpu.ea(in));
  FpuState& f = cpu.s.fpu;
  f.cw = normalize_cw(v);
  f.sync_summary();  // unmasking a set flag makes it pending
}

void op_fnstcw(Cpu& cpu, const Insn& in) {
  x87_enter(cpu, X87Sync::NoWait);
  cpu.write<uint16_t>(in.seg, cpu.ea(in), cpu.s.fpu.cw);
}

void op_fnstsw_mem(Cpu& cpu, const Insn& in) {
  x87_enter(cpu, X87Sync::NoWait);
  cpu.write<uint16_t>(in.seg, cpu.ea(in), cpu.s.fpu.sw);
}

void op_fnstsw_ax(Cpu& cpu, const Insn&) {
  x87_enter(cpu, X87Sync::NoWait);
  cpu.s.r16(EAX) = cpu.s.fpu.sw;
}

void op_fwait(Cpu& cpu, const Insn&) { fwait_enter(cpu); }

void op_legacy_nop(Cpu& cpu, const Insn&) { x87_enter(cpu, X87Sync::NoWait); }

bool has_mem16(const Insn& insn) {
  return insn.nops == 1 && insn.op[0].kind == OpKind::Mem && insn.op[0].size == 2;
}

}  // namespace

Handler bind_fninit(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_fninit; }
Handler bind_fnclex(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_fnclex; }
Handler bind_fwait(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_fwait; }
Handler bind_x87_legacy_nop(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return op_legacy_nop;
}

Handler bind_fldcw(Insn& insn, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return has_mem16(insn) ? op_fldcw : nullptr;
}

Handler bind_fnstcw(Insn& insn, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return has_mem16(insn) ? op_fnstcw : nullptr;
}

Handler bind_fnstsw(Insn& insn, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  if (has_mem16(insn)) return op_fnstsw_mem;
  if (insn.nops == 1 && insn.op[0].kind == OpKind::Reg && insn.op[0].reg == EAX) return op_fnstsw_ax;
  return nullptr;
}

}  // namespace bt86
