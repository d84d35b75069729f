// Far control transfers: JMP/CALL far (direct to code segments, through call gates with stack
// switch and parameter copy, through task gates or TSS descriptors), RET far (imm16) including
// returns to an outer ring, and IRET/IRETD (real mode, V86 with IOPL 3, same ring, outer ring,
// return to V86 mode, and task return via NT). Everything is validated before state changes.
#include "cpu/cpu.h"
#include "cpu/descriptors.h"
#include "cpu/ops_sys.h"
#include "cpu/sys_stack.h"
#include "cpu/task_switch.h"

namespace bt86 {

namespace {

struct FarPointer {
  uint16_t sel;
  uint32_t offset;
};

// ptr16:16/32 immediate or m16:16/32 operand.
template <unsigned Size> FarPointer far_operand(Cpu& cpu, const Insn& i) {
  if (i.op[0].kind == OpKind::Far) return {uint16_t(i.imm2), Size == 4 ? i.imm : i.imm & 0xFFFF};
  const uint32_t ea = cpu.ea(i);
  const uint32_t offset = Size == 4 ? cpu.read<uint32_t>(i.seg, ea) : cpu.read<uint16_t>(i.seg, ea);
  const uint32_t sel_ea = i.asize == 2 ? (ea + Size) & 0xFFFF : ea + Size;
  return {cpu.read<uint16_t>(i.seg, sel_ea), offset};
}

bool real_style(const Cpu& cpu) { return !cpu.s.protected_mode() || cpu.s.v86(); }

// Installs CS:EIP as the place execution continues.
void jump_to(Cpu& cpu, const SegLoad& cs, uint32_t eip) {
  commit_segment_load(cpu, CS, cs);
  cpu.s.eip = eip;
  cpu.next_eip = eip;
  cpu.end_block();
}

// Pushes the caller's CS and return EIP on the current stack.
void push_return_address(Cpu& cpu, unsigned size) {
  StackPusher stack(cpu, cpu.s.seg[SS], cpu.s.r[ESP], 0);
  stack.reserve(2 * size);
  stack.push(cpu.s.seg[CS].sel, size);
  stack.push(cpu.next_eip, size);
  cpu.set_esp(stack.sp());
}

void check_offset(uint32_t eip, const Segment& cs) {
  if (eip > cs.limit) guest_fault(vec::GP, 0);
}

// ---- JMP/CALL far -----------------------------------------------------------------------------------

// Direct JMP/CALL to a code segment: conforming needs DPL <= CPL; non-conforming RPL <= CPL and
// DPL == CPL. CPL does not change.
void check_direct_code(const Segment& cs, uint16_t sel, uint8_t cpl) {
  const bool ok = cs.is_code() && (cs.conforming() ? cs.dpl() <= cpl : sel_rpl(sel) <= cpl && cs.dpl() == cpl);
  if (!ok) guest_fault(vec::GP, sel_error(sel));
  if (!cs.present()) guest_fault(vec::NP, sel_error(sel));
}

// Gates and TSS descriptors used by JMP/CALL: DPL >= max(CPL, RPL), present.
void check_gate_access(const Segment& gate, uint16_t sel, uint8_t cpl) {
  if (gate.dpl() < cpl || gate.dpl() < sel_rpl(sel)) guest_fault(vec::GP, sel_error(sel));
  if (!gate.present()) guest_fault(vec::NP, sel_error(sel));
}

void task_transfer(Cpu& cpu, uint16_t tss_sel, TaskSwitchSource source) {
  switch_task(cpu, tss_sel, source, cpu.next_eip);
  cpu.next_eip = cpu.s.eip;
  cpu.end_block();
}

void through_call_gate(Cpu& cpu, const Descriptor& gate, bool call) {
  const uint8_t cpl = cpu.s.cpl;
  const uint16_t sel = gate.gate_selector();
  if (sel_is_null(sel)) guest_fault(vec::GP, 0);
  const DescriptorRef code = fetch_descriptor(cpu, sel);
  const Segment target = code.d.to_segment(sel);
  // JMP cannot change privilege: a non-conforming target must be at the CPL.
  const bool ok = target.is_code() && target.dpl() <= cpl && (call || target.conforming() || target.dpl() == cpl);
  if (!ok) guest_fault(vec::GP, sel_error(sel));
  if (!target.present()) guest_fault(vec::NP, sel_error(sel));

  const unsigned size = (gate.to_segment(0).type() & 8) ? 4 : 2;
  const uint32_t eip = size == 4 ? gate.gate_offset() : gate.gate_offset() & 0xFFFF;
  const uint8_t new_cpl = target.conforming() ? cpl : target.dpl();
  const SegLoad cs = code_load(code, sel, new_cpl);
  check_offset(eip, cs.seg);
  if (!call || new_cpl == cpl) {
    if (call) push_return_address(cpu, size);
    jump_to(cpu, cs, eip);
    return;
  }
  // CALL to a more privileged ring: new stack from the TSS, parameters copied from the old one.
  const InnerStack inner = tss_inner_stack(cpu, new_cpl);
  const SegLoad ss = check_stack_load(cpu, inner.ss, new_cpl, vec::TS);
  const unsigned params = gate.gate_param_count();
  StackPusher stack(cpu, ss.seg, inner.esp, sel_error(inner.ss));
  stack.reserve((4 + params) * size);
  stack.push(cpu.s.seg[SS].sel, size);
  stack.push(cpu.s.r[ESP], size);
  for (unsigned k = params; k-- > 0;) {
    const uint32_t off = (cpu.s.r[ESP] + k * size) & cpu.sp_mask();
    stack.push(size == 4 ? cpu.read<uint32_t>(SS, off) : cpu.read<uint16_t>(SS, off), size);
  }
  stack.push(cpu.s.seg[CS].sel, size);
  stack.push(cpu.next_eip, size);
  cpu.set_cpl(new_cpl);
  commit_segment_load(cpu, SS, ss);
  cpu.s.r[ESP] = stack.sp();
  jump_to(cpu, cs, eip);
}

void protected_far_transfer(Cpu& cpu, FarPointer p, bool call, unsigned size) {
  const uint8_t cpl = cpu.s.cpl;
  if (sel_is_null(p.sel)) guest_fault(vec::GP, 0);
  const DescriptorRef ref = fetch_descriptor(cpu, p.sel);
  const Segment target = ref.d.to_segment(p.sel);
  if (target.s()) {
    check_direct_code(target, p.sel, cpl);
    const SegLoad cs = code_load(ref, p.sel, cpl);
    check_offset(p.offset, cs.seg);
    if (call) push_return_address(cpu, size);
    jump_to(cpu, cs, p.offset);
    return;
  }
  switch (target.type()) {
    case sys_type::CALL_GATE16:
    case sys_type::CALL_GATE32:
      check_gate_access(target, p.sel, cpl);
      through_call_gate(cpu, ref.d, call);
      return;
    case sys_type::TASK_GATE:
      check_gate_access(target, p.sel, cpl);
      task_transfer(cpu, ref.d.gate_selector(), call ? TaskSwitchSource::Call : TaskSwitchSource::Jmp);
      return;
    case sys_type::TSS16:
    case sys_type::TSS32:  // available TSSs only: a busy one is #GP(sel) below
      check_gate_access(target, p.sel, cpl);
      task_transfer(cpu, p.sel, call ? TaskSwitchSource::Call : TaskSwitchSource::Jmp);
      return;
    default:
      guest_fault(vec::GP, sel_error(p.sel));
  }
}

template <bool Call, unsigned Size> void op_far_transfer(Cpu& cpu, const Insn& i) {
  const FarPointer p = far_operand<Size>(cpu, i);
  if (!real_style(cpu)) {
    protected_far_transfer(cpu, p, Call, Size);
    return;
  }
  check_offset(p.offset, cpu.s.seg[CS]);
  if (Call) push_return_address(cpu, Size);
  jump_to(cpu, real_style_load(p.sel), p.offset);
}

// ---- RET far and IRET --------------------------------------------------------------------------------

// The code segment a RET/IRET returns to: RPL >= CPL; conforming DPL <= RPL, else DPL == RPL.
SegLoad check_return_code(Cpu& cpu, uint16_t sel) {
  if (sel_is_null(sel)) guest_fault(vec::GP, 0);
  const DescriptorRef ref = fetch_descriptor(cpu, sel);
  const Segment cs = ref.d.to_segment(sel);
  const uint8_t rpl = sel_rpl(sel);
  const bool ok = cs.is_code() && rpl >= cpu.s.cpl && (cs.conforming() ? cs.dpl() <= rpl : cs.dpl() == rpl);
  if (!ok) guest_fault(vec::GP, sel_error(sel));
  if (!cs.present()) guest_fault(vec::NP, sel_error(sel));
  return code_load(ref, sel, rpl);
}

// Completes a return to the less privileged ring cs.RPL with stack ss:esp.
void return_to_outer_ring(Cpu& cpu, const SegLoad& cs, uint32_t eip, const SegLoad& ss, uint32_t esp) {
  cpu.set_cpl(sel_rpl(cs.seg.sel));
  commit_segment_load(cpu, SS, ss);
  cpu.set_esp(esp);
  drop_inaccessible_data_segments(cpu);
  jump_to(cpu, cs, eip);
}

template <unsigned Size> void op_ret_far(Cpu& cpu, const Insn& i) {
  const uint32_t release = i.op[0].kind == OpKind::Imm ? i.imm & 0xFFFF : 0;
  StackPopper stack(cpu);
  const uint32_t eip = stack.pop(Size);
  const uint16_t sel = uint16_t(stack.pop(Size));
  if (real_style(cpu)) {
    check_offset(eip, cpu.s.seg[CS]);
    stack.skip(release);
    cpu.set_esp(stack.sp());
    jump_to(cpu, real_style_load(sel), eip);
    return;
  }
  const SegLoad cs = check_return_code(cpu, sel);
  check_offset(eip, cs.seg);
  stack.skip(release);
  if (sel_rpl(sel) == cpu.s.cpl) {
    cpu.set_esp(stack.sp());
    jump_to(cpu, cs, eip);
    return;
  }
  const uint32_t esp = stack.pop(Size);
  const SegLoad ss = check_stack_load(cpu, uint16_t(stack.pop(Size)), sel_rpl(sel));
  return_to_outer_ring(cpu, cs, eip, ss, esp + release);
}

// EFLAGS bits IRET may change, decided at the CPL before the return.
uint32_t iret_flag_mask(const Cpu& cpu, unsigned size) {
  uint32_t mask = fl::ARITH | fl::TF | fl::DF | fl::NT | fl::RF | fl::AC | fl::ID;
  if (!cpu.s.protected_mode()) mask |= fl::IF | fl::IOPL;       // real mode: all but VM/VIF/VIP
  else if (cpu.s.v86()) mask |= fl::IF;                          // V86 with IOPL 3: IOPL kept
  else {
    if (cpu.s.cpl <= cpu.s.iopl()) mask |= fl::IF;
    if (cpu.s.cpl == 0) mask |= fl::IOPL | fl::VIF | fl::VIP;
  }
  return size == 2 ? mask & 0xFFFF : mask;
}

// Real mode, and V86 mode with IOPL 3: pop IP, CS, FLAGS.
template <unsigned Size> void iret_real_style(Cpu& cpu) {
  StackPopper stack(cpu);
  const uint32_t eip = stack.pop(Size);
  const uint16_t sel = uint16_t(stack.pop(Size));
  const uint32_t flags = stack.pop(Size);
  check_offset(eip, cpu.s.seg[CS]);
  cpu.set_esp(stack.sp());
  cpu.write_eflags(flags, iret_flag_mask(cpu, Size));
  jump_to(cpu, real_style_load(sel), eip);
}

// IRETD at CPL 0 with VM set in the popped EFLAGS: the frame continues ESP SS ES DS FS GS.
void iret_to_v86(Cpu& cpu, StackPopper& stack, uint32_t eip, uint16_t cs, uint32_t flags) {
  const uint32_t esp = stack.pop(4);
  uint16_t sel[6];
  for (unsigned idx : {SS, ES, DS, FS, GS}) sel[idx] = uint16_t(stack.pop(4));
  if (eip > 0xFFFF) guest_fault(vec::GP, 0);  // beyond the 64 KiB V86 code segment
  cpu.write_eflags(flags, 0xFFFFFFFFu);
  cpu.set_cpl(3);
  for (unsigned idx : {SS, ES, DS, FS, GS}) cpu.load_seg_real(idx, sel[idx]);
  cpu.s.r[ESP] = esp;
  jump_to(cpu, real_style_load(cs), eip);
}

// IRET with NT set: return to the task named by the back link of the current TSS.
void iret_task_return(Cpu& cpu) {
  task_transfer(cpu, cpu.read_sys<uint16_t>(cpu.s.tr.base + kTssBackLinkOffset), TaskSwitchSource::Iret);
}

template <unsigned Size> void op_iret(Cpu& cpu, const Insn&) {
  if (!cpu.s.protected_mode()) return iret_real_style<Size>(cpu);
  if (cpu.s.v86()) {
    if (cpu.s.iopl() < 3) guest_fault(vec::GP, 0);
    return iret_real_style<Size>(cpu);
  }
  if (cpu.flag(fl::NT)) return iret_task_return(cpu);
  StackPopper stack(cpu);
  const uint32_t eip = stack.pop(Size);
  const uint16_t sel = uint16_t(stack.pop(Size));
  const uint32_t flags = stack.pop(Size);
  if (Size == 4 && (flags & fl::VM) && cpu.s.cpl == 0) return iret_to_v86(cpu, stack, eip, sel, flags);
  const SegLoad cs = check_return_code(cpu, sel);
  check_offset(eip, cs.seg);
  const uint32_t mask = iret_flag_mask(cpu, Size);
  if (sel_rpl(sel) == cpu.s.cpl) {
    cpu.set_esp(stack.sp());
    cpu.write_eflags(flags, mask);
    jump_to(cpu, cs, eip);
    return;
  }
  const uint32_t esp = stack.pop(Size);
  const SegLoad ss = check_stack_load(cpu, uint16_t(stack.pop(Size)), sel_rpl(sel));
  cpu.write_eflags(flags, mask);
  return_to_outer_ring(cpu, cs, eip, ss, esp);
}

}  // namespace

Handler bind_far_branch(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (zi.meta.branch_type != ZYDIS_BRANCH_TYPE_FAR) return nullptr;
  const bool s4 = i.osize == 4;
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_JMP: return s4 ? op_far_transfer<false, 4> : op_far_transfer<false, 2>;
    case ZYDIS_MNEMONIC_CALL: return s4 ? op_far_transfer<true, 4> : op_far_transfer<true, 2>;
    case ZYDIS_MNEMONIC_RET: return s4 ? op_ret_far<4> : op_ret_far<2>;
    default: return nullptr;
  }
}

Handler bind_iret(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return i.osize == 4 ? op_iret<4> : op_iret<2>;
}

}  // namespace bt86
