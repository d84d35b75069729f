// System-register instructions: descriptor-table registers (LGDT LIDT SGDT SIDT LLDT SLDT LTR
// STR), CR0 shortcuts (LMSW SMSW CLTS), MOV to/from CR0/CR2/CR3/CR4 and DR0-DR7, TLB and cache
// control (INVLPG INVD WBINVD), the descriptor probes LAR LSL VERR VERW plus ARPL, and RSM.
// Breakpoints the debug registers describe are acted upon in debug_step.cpp; here are their
// access rules (DR4/DR5 aliases, general detect). No caches are modelled, so INVD/WBINVD only
// check privilege.
#include "cpu/cpu.h"
#include "cpu/debug_breakpoints.h"
#include "cpu/descriptors.h"
#include "cpu/ops_sys.h"

namespace bt86 {

namespace {

// Privileged instructions: #GP(0) unless CPL 0 (real mode is CPL 0, V86 mode CPL 3).
void require_cpl0(const Cpu& cpu) {
  if (cpu.s.protected_mode() && cpu.s.cpl != 0) guest_fault(vec::GP, 0);
}
// Protected-mode-only instructions: #UD in real and V86 mode.
void require_protected(const Cpu& cpu) {
  if (!cpu.s.protected_mode() || cpu.s.v86()) guest_fault(vec::UD);
}
// Offset `n` bytes past the memory operand, wrapped to the address size.
uint32_t ea_plus(const Cpu& cpu, const Insn& i, uint32_t n) {
  uint32_t a = cpu.ea(i) + n;
  return i.asize == 2 ? (a & 0xFFFF) : a;
}
// Stores a 16-bit system value: registers get it zero-extended, memory gets 16 bits.
void store_word(Cpu& cpu, const Insn& i, uint32_t value) {
  if (i.op[0].kind == OpKind::Reg) cpu.set_reg(i.op[0].reg, i.op[0].size, value);
  else cpu.write<uint16_t>(i.seg, cpu.ea(i), uint16_t(value));
}

// ---- control registers ------------------------------------------------------------------------

constexpr uint32_t kCr0Bits = cr0::PE | cr0::MP | cr0::EM | cr0::TS | cr0::ET | cr0::NE | cr0::WP | cr0::AM |
                              cr0::NW | cr0::CD | cr0::PG;
// CR0 bits whose change alters address translation or protection checks.
constexpr uint32_t kCr0TranslationBits = cr0::PE | cr0::PG | cr0::WP;
// CR4 bits of the features CPUID reports (ops_cpuid_msr.cpp); others are reserved: #GP(0).
// (PCE: RDPMC at any CPL, perf_counters.cpp; CPUID has no bit for it on this processor.)
constexpr uint32_t kCr4Bits = cr4::TSD | cr4::DE | cr4::PSE | cr4::PGE | cr4::PCE | cr4::OSFXSR;

void write_cr0(Cpu& cpu, uint32_t v) {
  v = (v & kCr0Bits) | cr0::ET;  // ET is hardwired to 1; undefined bits are ignored
  if ((v & cr0::PG) && !(v & cr0::PE)) guest_fault(vec::GP, 0);
  if ((v & cr0::NW) && !(v & cr0::CD)) guest_fault(vec::GP, 0);
  const uint32_t changed = cpu.s.cr0 ^ v;
  cpu.sync_fpu();  // (TS/EM decide whether x87 instructions may run natively)
  cpu.s.cr0 = v;
  if (!(v & cr0::PE)) cpu.set_cpl(0);
  if (changed & kCr0TranslationBits) cpu.flush_tlb();  // also refreshes the segment checks
  cpu.update_align_check();  // CR0.AM
  cpu.end_block();
}

void write_cr(Cpu& cpu, unsigned n, uint32_t v) {
  switch (n) {
    case 0: write_cr0(cpu, v); return;
    case 2: cpu.s.cr2 = v; return;
    case 3:
      cpu.s.cr3 = v & 0xFFFFF018u;  // page directory base, PCD, PWT
      cpu.flush_tlb_cr3();
      cpu.end_block();
      return;
    case 4:
      if (v & ~kCr4Bits) guest_fault(vec::GP, 0);
      cpu.s.cr4 = v;
      cpu.debug_regs_changed();  // DE turns R/W = 10 into I/O breakpoints; flushes the TLB
      cpu.end_block();
      return;
    default: guest_fault(vec::UD);  // CR1, CR5-CR7
  }
}

uint32_t read_cr(const Cpu& cpu, unsigned n) {
  switch (n) {
    case 0: return cpu.s.cr0;
    case 2: return cpu.s.cr2;
    case 3: return cpu.s.cr3;
    case 4: return cpu.s.cr4;
    default: guest_fault(vec::UD);
  }
}

void op_mov_to_cr(Cpu& cpu, const Insn& i) {
  require_cpl0(cpu);
  write_cr(cpu, i.op[0].reg, cpu.s.r[i.op[1].reg]);
}
void op_mov_from_cr(Cpu& cpu, const Insn& i) {
  require_cpl0(cpu);
  cpu.s.r[i.op[0].reg] = read_cr(cpu, i.op[1].reg);
}

// ---- debug registers ----------------------------------------------------------------------------

// The debug register MOV DRn reaches: DR4/DR5 alias DR6/DR7 unless CR4.DE makes them undefined
// (#UD). With DR7.GD set any MOV DRn is a #DB fault with DR6.BD (delivery clears GD, so the
// handler can use the registers); like other faults it pushes RF = 1.
unsigned debug_register(Cpu& cpu, unsigned n) {
  if (cpu.s.dr[7] & dr7::GD) {
    cpu.s.dr[6] |= dr6::BD;
    cpu.s.eflags |= fl::RF;
    guest_fault(vec::DB);
  }
  if (n == 4 || n == 5) {
    if (cpu.s.cr4 & cr4::DE) guest_fault(vec::UD);
    return n + 2;
  }
  return n;
}

void op_mov_to_dr(Cpu& cpu, const Insn& i) {
  require_cpl0(cpu);
  const unsigned n = debug_register(cpu, i.op[0].reg);
  uint32_t v = cpu.s.r[i.op[1].reg];
  if (n == 6) v = (v & 0x0000E00Fu) | 0xFFFF0FF0u;  // reserved bits read as 1 (bit 12 as 0)
  if (n == 7) v = (v & 0xFFFF23FFu) | 0x400u;       // bits 11, 12, 14, 15 are 0, bit 10 is 1
  cpu.s.dr[n] = v;
  if (n != 6) cpu.debug_regs_changed();
}
void op_mov_from_dr(Cpu& cpu, const Insn& i) {
  require_cpl0(cpu);
  cpu.s.r[i.op[0].reg] = cpu.s.dr[debug_register(cpu, i.op[1].reg)];
}

// ---- descriptor-table registers -------------------------------------------------------------------

template <bool Idt> TableReg& table_reg(Cpu& cpu) { return Idt ? cpu.s.idtr : cpu.s.gdtr; }

template <bool Idt> void op_load_table_reg(Cpu& cpu, const Insn& i) {
  require_cpl0(cpu);
  const uint16_t limit = cpu.read<uint16_t>(i.seg, cpu.ea(i));
  uint32_t base = cpu.read<uint32_t>(i.seg, ea_plus(cpu, i, 2));
  if (i.osize == 2) base &= 0x00FFFFFF;  // 16-bit operand size loads a 24-bit base
  table_reg<Idt>(cpu) = TableReg{base, limit};
}

template <bool Idt> void op_store_table_reg(Cpu& cpu, const Insn& i) {
  const TableReg& t = table_reg<Idt>(cpu);
  const uint32_t base = i.osize == 2 ? t.base & 0x00FFFFFF : t.base;
  cpu.probe_write(i.seg, cpu.ea(i), 6);
  cpu.write<uint16_t>(i.seg, cpu.ea(i), t.limit);
  cpu.write<uint32_t>(i.seg, ea_plus(cpu, i, 2), base);
}

void op_lldt(Cpu& cpu, const Insn& i) {
  require_protected(cpu);
  require_cpl0(cpu);
  const uint16_t sel = uint16_t(cpu.get_op(i, 0));
  if (sel_is_null(sel)) {
    cpu.s.ldtr = null_segment(sel);
    return;
  }
  if (sel_in_ldt(sel)) guest_fault(vec::GP, sel_error(sel));
  DescriptorRef r = fetch_descriptor(cpu, sel);
  Segment ldt = r.d.to_segment(sel);
  if (ldt.s() || ldt.type() != sys_type::LDT) guest_fault(vec::GP, sel_error(sel));
  if (!ldt.present()) guest_fault(vec::NP, sel_error(sel));
  cpu.s.ldtr = ldt;
}

void op_ltr(Cpu& cpu, const Insn& i) {
  require_protected(cpu);
  require_cpl0(cpu);
  const uint16_t sel = uint16_t(cpu.get_op(i, 0));
  if (sel_is_null(sel)) guest_fault(vec::GP, 0);
  if (sel_in_ldt(sel)) guest_fault(vec::GP, sel_error(sel));
  DescriptorRef r = fetch_descriptor(cpu, sel);
  Segment tss = r.d.to_segment(sel);
  if (tss.s() || (tss.type() != sys_type::TSS16 && tss.type() != sys_type::TSS32))
    guest_fault(vec::GP, sel_error(sel));
  if (!tss.present()) guest_fault(vec::NP, sel_error(sel));
  set_tss_busy(cpu, r.addr, true);
  tss.attr |= uint32_t(sys_type::kBusyBit) << 8;
  cpu.s.tr = tss;
}

template <bool Tr> void op_store_sys_selector(Cpu& cpu, const Insn& i) {
  require_protected(cpu);
  store_word(cpu, i, Tr ? cpu.s.tr.sel : cpu.s.ldtr.sel);
}

// ---- CR0 shortcuts, TLB and caches ------------------------------------------------------------------

void op_lmsw(Cpu& cpu, const Insn& i) {
  require_cpl0(cpu);
  constexpr uint32_t kMsw = cr0::PE | cr0::MP | cr0::EM | cr0::TS;
  const uint32_t v = cpu.get_op(i, 0);
  // PE can be set but not cleared by LMSW.
  write_cr0(cpu, (cpu.s.cr0 & ~(kMsw & ~cr0::PE)) | (v & kMsw));
}

void op_smsw(Cpu& cpu, const Insn& i) { store_word(cpu, i, cpu.s.cr0); }

void op_clts(Cpu& cpu, const Insn&) {
  require_cpl0(cpu);
  cpu.s.cr0 &= ~cr0::TS;
}

void op_invlpg(Cpu& cpu, const Insn& i) {
  require_cpl0(cpu);
  cpu.flush_tlb_page(cpu.s.seg[i.seg].base + cpu.ea(i));
  cpu.end_block();  // the page may hold the code that follows
}

void op_cache_flush(Cpu& cpu, const Insn&) { require_cpl0(cpu); }

// RSM outside system-management mode is #UD, and bt86 has no SMM (no SMI ever enters it): this
// is the architectural behaviour, not an unimplemented instruction.
void op_rsm(Cpu&, const Insn&) { guest_fault(vec::UD); }

// ---- descriptor probes --------------------------------------------------------------------------------

// The descriptor `sel` names if it is visible at the current privilege: in its table, and either
// a code/data segment or a system type in `system_types` (bit mask by type) that passes the
// DPL >= max(CPL, RPL) check (conforming code segments skip it).
bool visible_descriptor(Cpu& cpu, uint16_t sel, uint32_t system_types, Segment* out) {
  DescriptorRef r;
  if (sel_is_null(sel) || !try_fetch_descriptor(cpu, sel, &r)) return false;
  Segment sg = r.d.to_segment(sel);
  if (!sg.s() && !(system_types & (1u << sg.type()))) return false;
  if (!sg.conforming() && (sg.dpl() < cpu.s.cpl || sg.dpl() < sel_rpl(sel))) return false;
  *out = sg;
  return true;
}

constexpr uint32_t type_bits(std::initializer_list<uint8_t> types) {
  uint32_t m = 0;
  for (uint8_t t : types) m |= 1u << t;
  return m;
}
using namespace sys_type;
constexpr uint32_t kLarTypes = type_bits({TSS16, LDT, TSS16_BUSY, CALL_GATE16, TASK_GATE, TSS32, TSS32_BUSY, CALL_GATE32});
constexpr uint32_t kLslTypes = type_bits({TSS16, LDT, TSS16_BUSY, TSS32, TSS32_BUSY});

template <bool Lsl> void op_lar_lsl(Cpu& cpu, const Insn& i) {
  require_protected(cpu);
  Segment sg;
  const bool ok = visible_descriptor(cpu, uint16_t(cpu.get_op(i, 1)), Lsl ? kLslTypes : kLarTypes, &sg);
  cpu.set_flag(fl::ZF, ok);
  if (!ok) return;
  const uint32_t value = Lsl ? sg.limit : (i.osize == 2 ? sg.attr & 0xFF00 : sg.attr);
  cpu.set_reg(i.op[0].reg, i.op[0].size, value);
}

template <bool Write> void op_verify_segment(Cpu& cpu, const Insn& i) {
  require_protected(cpu);
  const uint16_t sel = uint16_t(cpu.get_op(i, 0));
  Segment sg;
  bool ok = visible_descriptor(cpu, sel, 0, &sg);
  // VERW: conforming code is never writable, so the privilege check above always applied.
  if (ok) ok = Write ? sg.writable() : sg.readable();
  cpu.set_flag(fl::ZF, ok);
}

void op_arpl(Cpu& cpu, const Insn& i) {
  require_protected(cpu);
  const uint32_t dst = cpu.get_op(i, 0), src = cpu.get_op(i, 1);
  const bool raise = (dst & 3) < (src & 3);
  if (raise) cpu.set_op(i, 0, (dst & ~3u) | (src & 3));
  cpu.set_flag(fl::ZF, raise);
}

}  // namespace

Handler bind_mov_cr_dr(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  if (i.op[0].kind == OpKind::Cr && i.op[1].kind == OpKind::Reg) return op_mov_to_cr;
  if (i.op[1].kind == OpKind::Cr && i.op[0].kind == OpKind::Reg) return op_mov_from_cr;
  if (i.op[0].kind == OpKind::Dr && i.op[1].kind == OpKind::Reg) return op_mov_to_dr;
  if (i.op[1].kind == OpKind::Dr && i.op[0].kind == OpKind::Reg) return op_mov_from_dr;
  return nullptr;
}
Handler bind_load_table_reg(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (i.op[0].kind != OpKind::Mem) return nullptr;
  return zi.mnemonic == ZYDIS_MNEMONIC_LIDT ? op_load_table_reg<true> : op_load_table_reg<false>;
}
Handler bind_store_table_reg(Insn& i, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  if (i.op[0].kind != OpKind::Mem) return nullptr;
  return zi.mnemonic == ZYDIS_MNEMONIC_SIDT ? op_store_table_reg<true> : op_store_table_reg<false>;
}
Handler bind_lldt(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_lldt; }
Handler bind_ltr(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_ltr; }
Handler bind_store_sys_selector(Insn&, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  return zi.mnemonic == ZYDIS_MNEMONIC_STR ? op_store_sys_selector<true> : op_store_sys_selector<false>;
}
Handler bind_lmsw(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_lmsw; }
Handler bind_smsw(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_smsw; }
Handler bind_clts(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_clts; }
Handler bind_invlpg(Insn& i, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) {
  return i.op[0].kind == OpKind::Mem ? op_invlpg : nullptr;
}
Handler bind_cache_flush(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_cache_flush; }
Handler bind_rsm(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_rsm; }
Handler bind_lar_lsl(Insn&, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  return zi.mnemonic == ZYDIS_MNEMONIC_LSL ? op_lar_lsl<true> : op_lar_lsl<false>;
}
Handler bind_verify_segment(Insn&, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand*) {
  return zi.mnemonic == ZYDIS_MNEMONIC_VERW ? op_verify_segment<true> : op_verify_segment<false>;
}
Handler bind_arpl(Insn&, const ZydisDecodedInstruction&, const ZydisDecodedOperand*) { return op_arpl; }

}  // namespace bt86
