// Segment-register moves: MOV Sreg,r/m16 and MOV r/m,Sreg, PUSH/POP Sreg, and the far-pointer
// loads LDS LES LFS LGS LSS. Loads go through the checked path of descriptors.h; loading SS
// (MOV/POP) holds off interrupts for one instruction.
#include "cpu/cpu.h"
#include "cpu/descriptors.h"
#include "cpu/ops_sys.h"

namespace bt86 {

namespace {

void op_mov_to_sreg(Cpu& cpu, const Insn& i) {
  const unsigned idx = i.op[0].reg;
  load_segment(cpu, idx, uint16_t(cpu.get_op(i, 1)));
  if (idx == SS) cpu.inhibit_interrupts_once();
}

// Register destinations take the selector zero-extended to the operand size; memory gets 16 bits.
void op_mov_from_sreg(Cpu& cpu, const Insn& i) {
  const uint16_t sel = cpu.s.seg[i.op[1].reg].sel;
  if (i.op[0].kind == OpKind::Reg) cpu.set_reg(i.op[0].reg, i.op[0].size, sel);
  else cpu.write<uint16_t>(i.seg, cpu.ea(i), sel);
}

// PUSH Sreg with a 32-bit operand size moves ESP by 4 but writes only the low 16 bits, as
// current processors do.
template <unsigned Size> void op_push_sreg(Cpu& cpu, const Insn& i) {
  const uint32_t sp = (cpu.s.r[ESP] - Size) & cpu.sp_mask();
  cpu.write<uint16_t>(SS, sp, cpu.s.seg[i.op[0].reg].sel);
  cpu.set_esp(sp);
}

template <unsigned Size> void op_pop_sreg(Cpu& cpu, const Insn& i) {
  const unsigned idx = i.op[0].reg;
  const uint32_t sp = cpu.s.r[ESP] & cpu.sp_mask();
  const SegLoad load = check_segment_load(cpu, idx, cpu.read<uint16_t>(SS, sp));
  cpu.set_esp(sp + Size);  // with the old stack size, before SS changes
  commit_segment_load(cpu, idx, load);
  if (idx == SS) cpu.inhibit_interrupts_once();
}

// LDS/LES/LFS/LGS/LSS r, m16:16/32: offset then selector in memory.
template <unsigned Seg, unsigned Size> void op_load_far_pointer(Cpu& cpu, const Insn& i) {
  const uint32_t ea = cpu.ea(i);
  const uint32_t offset = Size == 4 ? cpu.read<uint32_t>(i.seg, ea) : cpu.read<uint16_t>(i.seg, ea);
  const uint32_t sel_ea = i.asize == 2 ? (ea + Size) & 0xFFFF : ea + Size;
  const SegLoad load = check_segment_load(cpu, Seg, cpu.read<uint16_t>(i.seg, sel_ea));
  commit_segment_load(cpu, Seg, load);
  cpu.set_reg(i.op[0].reg, Size, offset);
}

template <unsigned Size> Handler far_pointer_handler(ZydisMnemonic m) {
  switch (m) {
    case ZYDIS_MNEMONIC_LDS: return op_load_far_pointer<DS, Size>;
    case ZYDIS_MNEMONIC_LES: return op_load_far_pointer<ES, Size>;
    case ZYDIS_MNEMONIC_LFS: return op_load_far_pointer<FS, Size>;
    case ZYDIS_MNEMONIC_LGS: return op_load_far_pointer<GS, Size>;
    case ZYDIS_MNEMONIC_LSS: return op_load_far_pointer<SS, Size>;
    default: return nullptr;
  }
}

}  // namespace

Handler bind_mov_system(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops) {
  if (i.op[0].kind == OpKind::Seg) return i.op[0].reg == CS ? nullptr : op_mov_to_sreg;  // MOV CS is #UD
  if (i.op[1].kind == OpKind::Seg) return op_mov_from_sreg;
  return bind_mov_cr_dr(i, zi, ops);
}

Handler bind_push_pop_seg(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (i.op[0].kind != OpKind::Seg) return nullptr;
  if (zi.mnemonic == ZYDIS_MNEMONIC_PUSH) return i.osize == 4 ? op_push_sreg<4> : op_push_sreg<2>;
  if (zi.mnemonic == ZYDIS_MNEMONIC_POP && i.op[0].reg != CS) return i.osize == 4 ? op_pop_sreg<4> : op_pop_sreg<2>;
  return nullptr;
}

Handler bind_load_far_pointer(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (i.op[0].kind != OpKind::Reg || i.op[1].kind != OpKind::Mem) return nullptr;  // register form is #UD
  return i.osize == 4 ? far_pointer_handler<4>(zi.mnemonic) : far_pointer_handler<2>(zi.mnemonic);
}

}  // namespace bt86
