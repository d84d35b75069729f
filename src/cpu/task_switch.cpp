// Hardware task switch (Intel SDM vol. 3, 7.3): validate the new TSS, save the outgoing task,
// update busy bits / NT / back link, then load the incoming task's CR3, registers, LDT and
// segment registers (the latter with #TS/#NP/#SS checks in the new task's context). Debug
// support: the switch clears DR7's local enables, and a 32-bit TSS with its T bit set raises a
// #DB trap (DR6.BT) before the new task's first instruction.
#include "cpu/task_switch.h"
#include "cpu/debug_breakpoints.h"
#include "cpu/descriptors.h"

namespace bt86 {

namespace {

// Register image of a task as stored in its TSS.
struct TaskState {
  uint32_t cr3 = 0, eip = 0, eflags = 0;
  uint32_t r[8] = {};
  uint16_t sel[6] = {};  // ES CS SS DS FS GS (16-bit TSS: FS/GS stay 0)
  uint16_t ldt = 0;
  bool debug_trap = false;  // T bit (32-bit TSS only)
};

// Field offsets of the two TSS formats. Both store ES CS SS DS (FS GS) in SegIndex order.
struct TssLayout {
  uint32_t eip, eflags, gpr, seg, ldt;
  unsigned word;      // field size in bytes
  unsigned seg_count; // segment registers stored
};
constexpr TssLayout kTss32{32, 36, 40, 72, 96, 4, 6};
constexpr TssLayout kTss16{14, 16, 18, 34, 42, 2, 4};
constexpr uint32_t kTss32Cr3 = 28;
constexpr uint32_t kTss32Trap = 100;  // bit 0: T

const TssLayout& layout(bool is32) { return is32 ? kTss32 : kTss16; }

uint32_t read_field(Cpu& cpu, uint32_t addr, unsigned size) {
  return size == 4 ? cpu.read_sys<uint32_t>(addr) : cpu.read_sys<uint16_t>(addr);
}
void write_field(Cpu& cpu, uint32_t addr, uint32_t v, unsigned size) {
  if (size == 4) cpu.write_sys<uint32_t>(addr, v);
  else cpu.write_sys<uint16_t>(addr, uint16_t(v));
}

TaskState read_task_state(Cpu& cpu, uint32_t base, bool is32) {
  const TssLayout& l = layout(is32);
  TaskState t;
  if (is32) t.cr3 = cpu.read_sys<uint32_t>(base + kTss32Cr3);
  t.eip = read_field(cpu, base + l.eip, l.word);
  t.eflags = read_field(cpu, base + l.eflags, l.word);
  for (unsigned k = 0; k < 8; ++k) t.r[k] = read_field(cpu, base + l.gpr + k * l.word, l.word);
  for (unsigned k = 0; k < l.seg_count; ++k) t.sel[k] = uint16_t(read_field(cpu, base + l.seg + k * l.word, l.word));
  t.ldt = cpu.read_sys<uint16_t>(base + l.ldt);
  if (is32) t.debug_trap = cpu.read_sys<uint16_t>(base + kTss32Trap) & 1;
  return t;
}

// Saves the dynamic fields (EIP, EFLAGS, GPRs, segment selectors) of the running task.
void save_task_state(Cpu& cpu, uint32_t return_eip, uint32_t eflags) {
  const Segment& tr = cpu.s.tr;
  const TssLayout& l = layout(tss_is_32bit(tr));
  write_field(cpu, tr.base + l.eip, return_eip, l.word);
  write_field(cpu, tr.base + l.eflags, eflags, l.word);
  for (unsigned k = 0; k < 8; ++k) write_field(cpu, tr.base + l.gpr + k * l.word, cpu.s.r[k], l.word);
  for (unsigned k = 0; k < l.seg_count; ++k) write_field(cpu, tr.base + l.seg + k * l.word, cpu.s.seg[k].sel, l.word);
}

// The incoming TSS descriptor: in the GDT, a TSS, busy for IRET / available otherwise, present,
// and large enough for its format.
DescriptorRef fetch_new_tss(Cpu& cpu, uint16_t sel, TaskSwitchSource source) {
  const bool iret = source == TaskSwitchSource::Iret;
  const uint8_t bad = iret ? vec::TS : vec::GP;
  if (sel_in_ldt(sel) || sel_is_null(sel)) guest_fault(bad, sel_error(sel));
  DescriptorRef r = fetch_descriptor(cpu, sel, bad);
  Segment t = r.d.to_segment(sel);
  uint8_t kind = t.type() & ~sys_type::kBusyBit;
  bool busy = t.type() & sys_type::kBusyBit;
  if (t.s() || (kind != sys_type::TSS16 && kind != sys_type::TSS32) || busy != iret)
    guest_fault(bad, sel_error(sel));
  if (!t.present()) guest_fault(vec::NP, sel_error(sel));
  if (t.limit < (tss_is_32bit(t) ? kTss32MinLimit : kTss16MinLimit)) guest_fault(vec::TS, sel_error(sel));
  return r;
}

// CS of the incoming task: a present code segment whose privilege matches the selector's RPL.
SegLoad check_task_code(Cpu& cpu, uint16_t sel) {
  if (sel_is_null(sel)) guest_fault(vec::TS, sel_error(sel));
  DescriptorRef r = fetch_descriptor(cpu, sel, vec::TS);
  Segment cs = r.d.to_segment(sel);
  uint8_t rpl = sel_rpl(sel);
  bool ok = cs.is_code() && (cs.conforming() ? cs.dpl() <= rpl : cs.dpl() == rpl);
  if (!ok) guest_fault(vec::TS, sel_error(sel));
  if (!cs.present()) guest_fault(vec::NP, sel_error(sel));
  return code_load(r, sel, rpl);
}

void load_task_ldt(Cpu& cpu, uint16_t sel) {
  if (sel_is_null(sel)) return;  // stays unusable
  if (sel_in_ldt(sel)) guest_fault(vec::TS, sel_error(sel));
  DescriptorRef r = fetch_descriptor(cpu, sel, vec::TS);
  Segment ldt = r.d.to_segment(sel);
  if (ldt.s() || ldt.type() != sys_type::LDT || !ldt.present()) guest_fault(vec::TS, sel_error(sel));
  cpu.s.ldtr = ldt;
}

// Loads LDTR and the segment registers of the incoming task. The selectors are installed first
// (with unusable caches) so that a fault leaves the new task's selectors visible, as on hardware.
void load_task_segments(Cpu& cpu, const TaskState& t) {
  cpu.s.ldtr = null_segment(t.ldt);
  if (cpu.s.v86()) {
    load_task_ldt(cpu, t.ldt);
    for (unsigned idx = 0; idx < 6; ++idx) cpu.load_seg_real(idx, t.sel[idx]);
    cpu.set_cpl(3);
    return;
  }
  for (unsigned idx = 0; idx < 6; ++idx) cpu.set_seg(idx, null_segment(t.sel[idx]));
  const uint8_t cpl = sel_rpl(t.sel[CS]);
  cpu.set_cpl(cpl);
  load_task_ldt(cpu, t.ldt);
  commit_segment_load(cpu, CS, check_task_code(cpu, t.sel[CS]));
  commit_segment_load(cpu, SS, check_stack_load(cpu, t.sel[SS], cpl, vec::TS));
  for (unsigned idx : {DS, ES, FS, GS})
    commit_segment_load(cpu, idx, check_data_load(cpu, t.sel[idx], cpl, vec::TS));
}

}  // namespace

InnerStack tss_inner_stack(Cpu& cpu, uint8_t dpl) {
  const Segment& tr = cpu.s.tr;
  const bool is32 = tss_is_32bit(tr);
  const uint32_t off = is32 ? 4 + 8 * dpl : 2 + 4 * dpl;
  const uint32_t size = is32 ? 6 : 4;
  if (off + size - 1 > tr.limit) guest_fault(vec::TS, sel_error(tr.sel));
  if (is32) return {cpu.read_sys<uint16_t>(tr.base + off + 4), cpu.read_sys<uint32_t>(tr.base + off)};
  return {cpu.read_sys<uint16_t>(tr.base + off + 2), cpu.read_sys<uint16_t>(tr.base + off)};
}

void switch_task(Cpu& cpu, uint16_t tss_sel, TaskSwitchSource source, uint32_t return_eip) {
  using Src = TaskSwitchSource;
  DescriptorRef nd = fetch_new_tss(cpu, tss_sel, source);
  Segment new_tr = nd.d.to_segment(tss_sel);
  const bool new32 = tss_is_32bit(new_tr);
  TaskState next = read_task_state(cpu, new_tr.base, new32);

  // Outgoing task.
  uint32_t old_eflags = cpu.s.eflags;
  if (source == Src::Iret) old_eflags &= ~fl::NT;
  save_task_state(cpu, return_eip, old_eflags);
  uint32_t old_desc;
  if ((source == Src::Jmp || source == Src::Iret) && locate_descriptor(cpu, cpu.s.tr.sel, &old_desc))
    set_tss_busy(cpu, old_desc, false);

  // Incoming task: nesting and busy bit.
  if (source == Src::Call || source == Src::Interrupt) {
    next.eflags |= fl::NT;
    cpu.write_sys<uint16_t>(new_tr.base + kTssBackLinkOffset, cpu.s.tr.sel);
  }
  if (source != Src::Iret) set_tss_busy(cpu, nd.addr, true);
  new_tr.attr |= uint32_t(sys_type::kBusyBit) << 8;

  // Commit point: from here on faults belong to the new task.
  cpu.s.tr = new_tr;
  cpu.sync_fpu();
  cpu.s.cr0 |= cr0::TS;
  if (cpu.s.dr[7] & dr7::LOCAL_ENABLES) {
    cpu.s.dr[7] &= ~dr7::LOCAL_ENABLES;
    cpu.debug_regs_changed();
  }
  if (new32 && cpu.s.paging()) {
    cpu.s.cr3 = next.cr3;
    cpu.flush_tlb_cr3();
  }
  for (unsigned k = 0; k < 8; ++k) cpu.s.r[k] = next.r[k];
  cpu.s.eip = next.eip;
  cpu.write_eflags(next.eflags, 0xFFFFFFFFu);  // a 16-bit TSS's FLAGS word leaves the upper half 0
  load_task_segments(cpu, next);
  if (next.debug_trap) cpu.raise_debug_trap(dr6::BT);
  cpu.end_block();
}

}  // namespace bt86
