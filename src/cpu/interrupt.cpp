// Interrupt and exception delivery (Cpu::deliver): the real-mode IVT; the protected-mode IDT with
// interrupt, trap and task gates (16/32-bit), privilege changes with a stack switch from the
// TSS, entry from virtual-8086 mode, error codes with the EXT bit, the software-INT DPL check,
// and the double-fault rules (contributory/page-fault combinations -> #DF; a fault while
// delivering #DF -> triple fault = shutdown).
#include "cpu/cpu.h"
#include "cpu/cpu_trace.h"
#include "cpu/descriptors.h"
#include "cpu/sys_stack.h"
#include "cpu/task_switch.h"

namespace bt86 {

namespace {

struct Event {
  uint8_t vector;
  IntKind kind;
  int32_t error;       // kNoErrorCode if none is pushed
  uint32_t return_eip;
};

// Bound on faults while delivering one event; the #DF rules end every real chain before it.
constexpr int kMaxNestedFaults = 4;

bool is_software(IntKind k) { return k == IntKind::Software || k == IntKind::Int3 || k == IntKind::Into; }

// Exception classes of the double-fault table (SDM vol. 3, table 6-5).
enum class FaultClass { Benign, Contributory, PageFault };
FaultClass fault_class(uint8_t v) {
  switch (v) {
    case vec::DE: case vec::TS: case vec::NP: case vec::SS: case vec::GP: return FaultClass::Contributory;
    case vec::PF: return FaultClass::PageFault;
    default: return FaultClass::Benign;
  }
}
bool makes_double_fault(uint8_t first, uint8_t second) {
  FaultClass a = fault_class(first), b = fault_class(second);
  if (b == FaultClass::Benign) return false;
  return a == FaultClass::PageFault || (a == FaultClass::Contributory && b == FaultClass::Contributory);
}
// Error codes in selector format (bit 0 = EXT) as opposed to #PF's.
bool has_selector_error(const GuestFault& f) {
  return f.error != kNoErrorCode && (f.vector == vec::TS || f.vector == vec::NP || f.vector == vec::SS ||
                                     f.vector == vec::GP);
}

// ---- real mode -----------------------------------------------------------------------------------

void deliver_real(Cpu& cpu, const Event& ev) {
  const uint32_t entry = uint32_t(ev.vector) * 4;
  if (entry + 3 > cpu.s.idtr.limit) guest_fault(vec::GP, 0);
  const uint16_t ip = cpu.read_sys<uint16_t>(cpu.s.idtr.base + entry);
  const uint16_t cs = cpu.read_sys<uint16_t>(cpu.s.idtr.base + entry + 2);
  StackPusher stack(cpu, cpu.s.seg[SS], cpu.s.r[ESP], 0);
  stack.reserve(6);
  stack.push(cpu.s.eflags, 2);
  stack.push(cpu.s.seg[CS].sel, 2);
  stack.push(ev.return_eip, 2);
  cpu.set_esp(stack.sp());
  cpu.s.eflags &= ~(fl::IF | fl::TF | fl::AC | fl::RF);
  cpu.load_seg_real(CS, cs);
  cpu.s.eip = ip;
}

// ---- protected mode ------------------------------------------------------------------------------

Descriptor read_idt_gate(Cpu& cpu, const Event& ev) {
  const int32_t idt_error = ev.vector * 8 + 2;  // IDT bit; EXT is added by deliver()
  const uint32_t entry = uint32_t(ev.vector) * 8;
  if (entry + 7 > cpu.s.idtr.limit) guest_fault(vec::GP, idt_error);
  Descriptor gate;
  gate.lo = cpu.read_sys<uint32_t>(cpu.s.idtr.base + entry);
  gate.hi = cpu.read_sys<uint32_t>(cpu.s.idtr.base + entry + 4);
  Segment g = gate.to_segment(0);
  bool gate_type = !g.s() && (g.type() == sys_type::TASK_GATE || (g.type() & 7) == sys_type::INT_GATE16 ||
                              (g.type() & 7) == sys_type::TRAP_GATE16);
  if (!gate_type) guest_fault(vec::GP, idt_error);
  // INT n/INT3/INTO may only use gates at or below their privilege; ICEBP and hardware may not.
  if (is_software(ev.kind) && g.dpl() < cpu.s.cpl) guest_fault(vec::GP, idt_error);
  if (!g.present()) guest_fault(vec::NP, idt_error);
  return gate;
}

void deliver_via_task_gate(Cpu& cpu, const Event& ev, const Descriptor& gate) {
  switch_task(cpu, gate.gate_selector(), TaskSwitchSource::Interrupt, ev.return_eip);
  if (ev.error != kNoErrorCode) {
    const unsigned size = tss_is_32bit(cpu.s.tr) ? 4 : 2;
    StackPusher stack(cpu, cpu.s.seg[SS], cpu.s.r[ESP], 0);
    stack.push(uint32_t(ev.error), size);
    cpu.set_esp(stack.sp());
  }
  if (cpu.s.eip > cpu.s.seg[CS].limit) guest_fault(vec::GP, 0);
}

// Where an interrupt/trap gate leads: its code segment (present code, DPL <= CPL; ring 0 when
// coming from V86 mode), the new CPL, the entry point and the gate's push size.
struct HandlerTarget {
  SegLoad cs;
  uint8_t cpl;
  uint32_t eip;
  unsigned size;      // 4 for 32-bit gates, 2 for 16-bit gates
  bool clears_if;     // interrupt gate (trap gates leave IF alone)
};

HandlerTarget check_handler_target(Cpu& cpu, const Descriptor& gate) {
  const uint16_t sel = gate.gate_selector();
  if (sel_is_null(sel)) guest_fault(vec::GP, 0);
  const DescriptorRef code = fetch_descriptor(cpu, sel);
  const Segment cs = code.d.to_segment(sel);
  const uint8_t cpl = cpu.s.cpl;
  if (!cs.is_code() || cs.dpl() > cpl) guest_fault(vec::GP, sel_error(sel));
  if (!cs.present()) guest_fault(vec::NP, sel_error(sel));
  const uint8_t new_cpl = cs.conforming() ? cpl : cs.dpl();
  if (cpu.s.v86() && new_cpl != 0) guest_fault(vec::GP, sel_error(sel));

  const uint8_t type = gate.to_segment(0).type();
  HandlerTarget t{code_load(code, sel, new_cpl), new_cpl, gate.gate_offset(), (type & 8) ? 4u : 2u,
                  (type & 7) == sys_type::INT_GATE16};
  if (t.size == 2) t.eip &= 0xFFFF;
  if (t.eip > t.cs.seg.limit) guest_fault(vec::GP, 0);
  return t;
}

void deliver_via_gate(Cpu& cpu, const Event& ev, const Descriptor& gate) {
  const HandlerTarget target = check_handler_target(cpu, gate);
  const bool from_v86 = cpu.s.v86();
  const bool stack_switch = target.cpl < cpu.s.cpl;
  const bool has_error = ev.error != kNoErrorCode;
  const unsigned size = target.size;

  // The frame goes on the TSS's inner stack on a privilege change, else on the current stack.
  SegLoad new_ss;
  uint32_t sp = cpu.s.r[ESP];
  if (stack_switch) {
    const InnerStack inner = tss_inner_stack(cpu, target.cpl);
    new_ss = check_stack_load(cpu, inner.ss, target.cpl, vec::TS);
    sp = inner.esp;
  }
  StackPusher stack(cpu, stack_switch ? new_ss.seg : cpu.s.seg[SS], sp,
                    stack_switch ? sel_error(new_ss.seg.sel) : 0);
  const unsigned words = 3 + (stack_switch ? 2 : 0) + (from_v86 ? 4 : 0) + (has_error ? 1 : 0);
  stack.reserve(words * size);
  if (from_v86)
    for (unsigned idx : {GS, FS, DS, ES}) stack.push(cpu.s.seg[idx].sel, size);
  if (stack_switch) {
    stack.push(cpu.s.seg[SS].sel, size);
    stack.push(cpu.s.r[ESP], size);
  }
  stack.push(cpu.s.eflags, size);
  stack.push(cpu.s.seg[CS].sel, size);
  stack.push(ev.return_eip, size);
  if (has_error) stack.push(uint32_t(ev.error), size);

  // Commit. EFLAGS first: VM decides how segment caches are checked.
  cpu.write_eflags(0, fl::TF | fl::NT | fl::RF | fl::VM | (target.clears_if ? fl::IF : 0));
  if (from_v86)
    for (unsigned idx : {GS, FS, DS, ES}) cpu.set_seg(idx, null_segment(0));
  if (stack_switch) {
    commit_segment_load(cpu, SS, new_ss);
    cpu.s.r[ESP] = stack.sp();
  } else {
    cpu.set_esp(stack.sp());
  }
  cpu.set_cpl(target.cpl);
  commit_segment_load(cpu, CS, target.cs);
  cpu.s.eip = target.eip;
}

void deliver_protected(Cpu& cpu, const Event& ev) {
  if (ev.kind == IntKind::Software && cpu.s.v86() && cpu.s.iopl() < 3) guest_fault(vec::GP, 0);
  Descriptor gate = read_idt_gate(cpu, ev);
  if (gate.to_segment(0).type() == sys_type::TASK_GATE) deliver_via_task_gate(cpu, ev, gate);
  else deliver_via_gate(cpu, ev, gate);
}

void deliver_event(Cpu& cpu, const Event& ev) {
  // Every fault-class exception except #DB pushes RF = 1 (in the frame, or the old TSS), so that
  // the restarted instruction does not re-take an instruction breakpoint (SDM vol. 3, 17.3.1.1).
  // #DB faults decide RF themselves (instruction breakpoints push it as it is).
  if (ev.kind == IntKind::Exception && ev.vector != vec::DB) cpu.s.eflags |= fl::RF;
  if (ev.kind == IntKind::Exception && ev.vector == vec::DB) cpu.s.dr[7] &= ~dr7::GD;  // handler may use DRn
  if (cpu.s.protected_mode()) deliver_protected(cpu, ev);
  else deliver_real(cpu, ev);
  cpu.end_block();
}

}  // namespace

void Cpu::deliver(uint8_t vector, IntKind kind, int32_t error, uint32_t return_eip) {
  set_halted(false);
  // Only exceptions push error codes, and only in protected mode.
  const bool pushes_error = kind == IntKind::Exception && s.protected_mode();
  Event ev{vector, kind, pushes_error ? error : kNoErrorCode, return_eip};
  if (is_software(kind)) {
    // INT n/INT3/INTO: a fault while delivering is a fault of the instruction itself (handled
    // by the run loop, state still at the instruction), with no #DF combination and EXT = 0.
    if (trace.intr) trace_interrupt(*this, vector, kind, kNoErrorCode);
    deliver_event(*this, ev);
    return;
  }
  // Hardware interrupts, exceptions and ICEBP: faults during delivery carry EXT and combine
  // with the event being delivered per the double-fault rules.
  for (fault_depth_ = 0;; ++fault_depth_) {
    try {
      deliver_event(*this, ev);
      fault_depth_ = 0;
      return;
    } catch (const GuestFault& caught) {
      GuestFault f = caught;
      if (has_selector_error(f)) f.error |= 1;  // EXT
      ++stats.exceptions;
      const bool delivering_df = ev.kind == IntKind::Exception && ev.vector == vec::DF;
      if (delivering_df || fault_depth_ >= kMaxNestedFaults) {
        if (trace.intr)
          std::fprintf(trace.out, "triple fault: exception %u while delivering %u\n", f.vector, ev.vector);
        fault_depth_ = 0;
        request_shutdown();
        return;
      }
      const bool df = ev.kind == IntKind::Exception && makes_double_fault(ev.vector, f.vector);
      ev = df ? Event{vec::DF, IntKind::Exception, 0, s.eip}
              : Event{f.vector, IntKind::Exception, s.protected_mode() ? f.error : kNoErrorCode, s.eip};
      if (trace.intr) trace_interrupt(*this, ev.vector, ev.kind, ev.error);
    }
  }
}

}  // namespace bt86
