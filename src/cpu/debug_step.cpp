// Debug exceptions of the interpreter (Intel SDM vol. 3, ch. 17). While EFLAGS.TF or RF is set,
// any breakpoint is enabled in DR7 or a debug trap is pending, the run loop executes one
// instruction at a time through Cpu::debug_step, which
//   1. delivers a trap left pending at this boundary (task switch into a TSS with T = 1: BT);
//   2. raises the fault-class #DB of an instruction breakpoint on the instruction's linear
//      address, unless RF = 1;
//   3. clears RF and runs the instruction (a REP string instruction for one iteration only, so a
//      trap follows the iteration that caused it; RF is set again while iterations remain, so a
//      breakpoint on the instruction is not re-taken between them);
//   4. raises one trap-class #DB for what the instruction caused: data and I/O breakpoint hits
//      (B0-B3), single-step (BS, TF as it was before the instruction), task switch (BT).
// MOV SS and POP SS hold debug exceptions off until the end of the next instruction (SDM vol. 3,
// 6.8.3): their trap is not raised but held, no instruction breakpoint is taken on the next
// instruction, and the held bits are reported together with that instruction's in one #DB
// after it. (So under TF, `mov ss, ax; mov esp, x` gives one #DB, after the MOV ESP, with BS.)
// An instruction that raises a software interrupt (INT n, INT3, INTO taken, INT1) reports no
// single-step trap, its own or a held one: delivering the interrupt clears TF and discards it,
// as on the 286 and later; breakpoint hits stay and are reported at the handler's first
// instruction. A fault discards what was held.
// Data breakpoints are seen by the memory slow paths: pages holding one are never entered in the
// TLB (memory.cpp). The fast path is untouched while no breakpoint is enabled.
#include <Zydis/Zydis.h>
#include "cpu/cpu.h"

namespace bt86 {

namespace {

bool is_string_insn(const Insn& i) {
  switch (i.mnemonic) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD:
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSD:
    case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW: case ZYDIS_MNEMONIC_SCASD:
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD:
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD:
    case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD:
    case ZYDIS_MNEMONIC_OUTSB: case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
      return true;
    default:
      return false;
  }
}

bool compares(const Insn& i) {
  switch (i.mnemonic) {
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSD:
    case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW: case ZYDIS_MNEMONIC_SCASD:
      return true;
    default:
      return false;
  }
}

// MOV SS, POP SS (not LSS): they hold off interrupts and debug exceptions for one instruction.
bool loads_ss_with_shadow(const Insn& i) {
  return (i.mnemonic == ZYDIS_MNEMONIC_MOV || i.mnemonic == ZYDIS_MNEMONIC_POP) &&
         i.op[0].kind == OpKind::Seg && i.op[0].reg == SS;
}

// INT n, INT3, INT1 and INTO (when OF was set) deliver an interrupt when they complete.
bool raised_software_interrupt(const Insn& i, uint32_t eflags_before) {
  switch (i.mnemonic) {
    case ZYDIS_MNEMONIC_INT: case ZYDIS_MNEMONIC_INT3: case ZYDIS_MNEMONIC_INT1: return true;
    case ZYDIS_MNEMONIC_INTO: return eflags_before & fl::OF;
    default: return false;
  }
}

}  // namespace

void Cpu::debug_regs_changed() {
  bp_.decode(s.dr, s.cr4 & cr4::DE);
  update_debug_active();
  flush_tlb();
  end_block();
}

void Cpu::raise_debug_trap(uint32_t dr6_bits) {
  db_pending_ |= dr6_bits;
  update_debug_active();
  end_block();
}

void Cpu::note_io_access(uint16_t port, unsigned size) {
  const uint8_t m = bp_.match_io(port, size, s.cr4 & cr4::DE);
  mmu.bp_matched |= m;
  mmu.bp_hits |= m & bp_.io_enabled;
}

// B0-B3 are replaced by the breakpoints this exception reports (the SDM allows the processor to
// clear them); BD, BS and BT accumulate until software clears them.
void Cpu::deliver_debug_trap(uint32_t dr6_bits) {
  if (dr6_bits & dr6::B_ALL) s.dr[6] &= ~dr6::B_ALL;
  s.dr[6] |= dr6_bits;
  GuestFault trap{vec::DB, kNoErrorCode};
  deliver_fault(trap);
}

// Runs `insn` (s.eip names it); a repeated string instruction runs one iteration.
void Cpu::execute_one(const Insn& insn) {
  const uint32_t count_mask = insn.asize == 2 ? 0xFFFFu : 0xFFFFFFFFu;
  const uint32_t saved_ecx = s.r[ECX];
  const uint32_t count = saved_ecx & count_mask;
  const bool per_iteration = debug_active_ || (s.eflags & fl::TF);  // not for RF alone
  if (!per_iteration || !insn.rep || !is_string_insn(insn) || count <= 1) {
    run_insns(&insn, &insn + 1);
    return;
  }
  const uint32_t eip = s.eip;
  s.r[ECX] = (saved_ecx & ~count_mask) | 1;
  try {
    run_insns(&insn, &insn + 1);
  } catch (const GuestFault&) {
    s.r[ECX] = saved_ecx;  // the faulting iteration committed nothing
    throw;
  }
  s.r[ECX] = (saved_ecx & ~count_mask) | ((count - 1) & count_mask);
  const bool zf = s.eflags & fl::ZF;
  const bool stopped_by_zf = compares(insn) && (insn.rep == 2 ? zf : !zf);
  if (!stopped_by_zf) {
    s.eip = eip;             // iterations remain: the instruction runs again
    s.eflags |= fl::RF;      // ... without re-taking a breakpoint on it
  }
}

void Cpu::debug_step(const Insn& insn) {
  if (db_pending_) {
    const uint32_t bits = db_pending_;
    db_pending_ = 0;
    update_debug_active();
    deliver_debug_trap(bits);
    return;
  }
  // The instruction after MOV SS / POP SS: no instruction breakpoint; the trap held is merged.
  const bool shadow = db_shadow_;
  const uint32_t held = db_held_;
  db_shadow_ = false;
  db_held_ = 0;
  update_debug_active();
  if (bp_.exec_enabled && !(s.eflags & fl::RF) && !shadow) {
    const uint8_t m = bp_.match_exec(s.seg[CS].base + s.eip);
    if (m & bp_.exec_enabled) {
      s.dr[6] = (s.dr[6] & ~dr6::B_ALL) | m;
      guest_fault(vec::DB);  // fault: the instruction has not run; RF is pushed as it is (0)
    }
  }
  const uint32_t eflags_before = s.eflags;
  const bool single_step = s.eflags & fl::TF;
  s.eflags &= ~fl::RF;
  mmu.bp_hits = mmu.bp_matched = 0;
  execute_one(insn);
  uint32_t bits = held | db_pending_ | (mmu.bp_hits ? mmu.bp_matched : 0u) | (single_step ? dr6::BS : 0u);
  if (raised_software_interrupt(insn, eflags_before)) bits &= ~dr6::BS;
  db_pending_ = 0;
  if (loads_ss_with_shadow(insn)) {
    db_shadow_ = true;  // report after the next instruction
    db_held_ = bits;
    update_debug_active();
    return;
  }
  update_debug_active();
  if (bits) deliver_debug_trap(bits);
}

}  // namespace bt86
