// x87 state save/restore: FNSTENV, FLDENV, FNSAVE, FRSTOR (layout by operand size and by real/
// V86 vs protected mode) and FXSAVE/FXRSTOR (512-byte area, 16-byte aligned, MXCSR and XMM0-7
// included). The images themselves are built in fpu_env.cpp. Every memory access is done (or
// probed) before the FPU state changes, so faults leave the state intact.
#include <Zydis/Zydis.h>
#include "cpu/cpu.h"
#include "cpu/fpu_env.h"
#include "cpu/fpu_exceptions.h"
#include "cpu/ops_x87.h"

namespace bt86 {

namespace {

constexpr unsigned kStateImageMax = 28 + kStackImageBytes;

EnvLayout layout_of(const Cpu& cpu, const Insn& in) {
  return env_layout(!cpu.s.protected_mode() || cpu.s.v86(), in.osize);
}

void op_fnstenv(Cpu& cpu, const Insn& in) {
  x87_enter(cpu, X87Sync::NoWait);
  FpuState& f = cpu.s.fpu;
  const EnvLayout l = layout_of(cpu, in);
  uint8_t image[28];
  store_env(f, l, image);
  cpu.write_bytes(in.seg, cpu.ea(in), image, env_bytes(l));
  f.cw |= fcw::MASKS;  // FNSTENV then masks every exception
  f.sync_summary();
}

void op_fldenv(Cpu& cpu, const Insn& in) {
  x87_enter(cpu, X87Sync::Wait);
  const EnvLayout l = layout_of(cpu, in);
  uint8_t image[28];
  cpu.read_bytes(in.seg, cpu.ea(in), image, env_bytes(l));
  FpuState& f = cpu.s.fpu;
  f.load_tags(load_env(f, l, image));
  f.sync_summary();
}

void op_fnsave(Cpu& cpu, const Insn& in) {
  x87_enter(cpu, X87Sync::NoWait);
  FpuState& f = cpu.s.fpu;
  const EnvLayout l = layout_of(cpu, in);
  uint8_t image[kStateImageMax];
  store_env(f, l, image);
  store_stack(f, image + env_bytes(l));
  cpu.write_bytes(in.seg, cpu.ea(in), image, env_bytes(l) + kStackImageBytes);
  f.init();
}

void op_frstor(Cpu& cpu, const Insn& in) {
  x87_enter(cpu, X87Sync::Wait);
  const EnvLayout l = layout_of(cpu, in);
  uint8_t image[kStateImageMax];
  cpu.read_bytes(in.seg, cpu.ea(in), image, env_bytes(l) + kStackImageBytes);
  FpuState& f = cpu.s.fpu;
  const uint16_t tags = load_env(f, l, image);  // sets TOP first, so the stack lands right
  load_stack(f, image + env_bytes(l));
  f.load_tags(tags);
  f.sync_summary();
}

// FXSAVE/FXRSTOR: #GP(0) unless the area is 16-byte aligned (checked on the linear address).
uint32_t fxsave_area(Cpu& cpu, const Insn& in) {
  x87_enter(cpu, X87Sync::NoWait);
  const uint32_t off = cpu.ea(in);
  if ((cpu.s.seg[in.seg].base + off) & 15) guest_fault(vec::GP, 0);
  return off;
}

void op_fxsave(Cpu& cpu, const Insn& in) {
  const uint32_t off = fxsave_area(cpu, in);
  cpu.probe_write(in.seg, off, kFxsaveBytes);
  uint8_t area[kFxsaveWrittenBytes];
  store_fxsave(cpu.s.fpu, area);
  cpu.write_bytes(in.seg, off, area, kFxsaveWrittenBytes);
}

void op_fxrstor(Cpu& cpu, const Insn& in) {
  const uint32_t off = fxsave_area(cpu, in);
  uint8_t area[kFxsaveBytes];
  cpu.read_bytes(in.seg, off, area, kFxsaveBytes);
  if (fxsave_mxcsr(area) & ~kMxcsrMask) guest_fault(vec::GP, 0);
  load_fxsave(cpu.s.fpu, area);
}

Handler if_memory_operand(const Insn& insn, Handler h) {
  return insn.nops == 1 && insn.op[0].kind == OpKind::Mem ? h : nullptr;
}

}  // namespace

Handler bind_fnstenv(Insn& insn, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return if_memory_operand(insn, op_fnstenv);
}
Handler bind_fldenv(Insn& insn, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return if_memory_operand(insn, op_fldenv);
}
Handler bind_fnsave(Insn& insn, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return if_memory_operand(insn, op_fnsave);
}
Handler bind_frstor(Insn& insn, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return if_memory_operand(insn, op_frstor);
}
Handler bind_fxsave(Insn& insn, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return if_memory_operand(insn, op_fxsave);
}
Handler bind_fxrstor(Insn& insn, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return if_memory_operand(insn, op_fxrstor);
}

}  // namespace bt86
