// The shared routines of translated code (see runtime_stubs.h and jit_abi.h).
#include "translate/runtime_stubs.h"

#include <cstddef>
#include <stdexcept>
#include "cpu/cpu_state.h"
#include "mmu/guest_mmu.h"
#include "translate/code_buffer.h"

namespace bt86::jit {

namespace {
InlineCache g_switch_ic;  // the inline cache a kCalloutSwitch lookup is given
}  // namespace

using namespace asmjit;

static x::Mem gpr_slot(unsigned r) { return x::dword_ptr(kState, int32_t(kGprOffset + 4 * r)); }

void store_guest_regs(x::Assembler& a) {
  for (unsigned r = 0; r < 8; ++r) a.mov(gpr_slot(r), guest_reg32(r));
}

void load_guest_regs(x::Assembler& a) {
  for (unsigned r = 0; r < 8; ++r) a.mov(guest_reg32(r), gpr_slot(r));
}

void store_guest_flags(x::Assembler& a) {
  a.pushfq();
  a.pop(x::r11);
  a.mov(x::r9d, x::dword_ptr(kState, int32_t(kEflagsOffset)));
  a.and_(x::r9d, int32_t(~fl::ARITH));
  a.and_(x::r11d, int32_t(fl::ARITH));
  a.or_(x::r9d, x::r11d);
  a.mov(x::dword_ptr(kState, int32_t(kEflagsOffset)), x::r9d);
}

void load_guest_flags(x::Assembler& a) {
  a.mov(x::r9d, x::dword_ptr(kState, int32_t(kEflagsOffset)));
  a.and_(x::r9d, int32_t(fl::ARITH | fl::FIXED1));
  a.push(x::r9);
  a.popfq();
}

// Flags parked in LAHF/SETO form (see runtime_stubs.h).
void save_flags_lahf(x::Assembler& a, const x::Gp& temp, size_t state_offset) {
  a.mov(temp, x::rax);
  a.lahf();
  a.seto(x::al);
  a.mov(x::word_ptr(kState, int32_t(state_offset)), x::ax);
  a.mov(x::rax, temp);
}

void eflags_from_spill(x::Assembler& a, const x::Gp& dst, const x::Gp& temp, uint32_t dropped) {
  a.mov(dst, x::dword_ptr(kState, int32_t(kEflagsOffset)));
  a.and_(dst, int32_t(~dropped));
  a.movzx(temp, x::byte_ptr(kState, int32_t(kFlagsSpillOffset + 1)));
  a.and_(temp, int32_t(fl::ARITH & 0xFF));
  a.or_(dst, temp);
  a.movzx(temp, x::byte_ptr(kState, int32_t(kFlagsSpillOffset)));
  a.and_(temp, 1);
  a.shl(temp, 11);
  a.or_(dst, temp);
}

void restore_flags_lahf(x::Assembler& a, const x::Gp& temp, size_t state_offset) {
  a.mov(temp, x::rax);
  a.mov(x::ax, x::word_ptr(kState, int32_t(state_offset)));
  a.add(x::al, 0x7F);
  a.sahf();
  a.mov(x::rax, temp);
}

// A block's code in two sections (block_translator.cpp): the text section at the hot cursor, the
// second at the cold cursor. The section offsets say where each goes relative to the code
// holder's base (the hot cursor) before links and relocations are resolved. Null if either part
// does not fit or AsmJit needed more (an address table: a target out of rel32 reach).
uint8_t* place_split_code(CodeHolder& code, Section* cold, CodeBuffer& buf, size_t* hot_size, uint8_t** cold_at,
                          size_t* cold_size) {
  Section* hot = code.textSection();
  if (code.sectionCount() != 2 || uint64_t(buf.cursor()) != code.baseAddress()) return nullptr;
  hot->setOffset(0);
  cold->setOffset(uint64_t(buf.cold_cursor()) - uint64_t(buf.cursor()));
  if (code.resolveUnresolvedLinks() || code.relocateToBase(code.baseAddress()) || code.sectionCount() != 2)
    return nullptr;
  const size_t h = hot->realSize(), c = cold->realSize();
  if (h > buf.room() || c > buf.cold_room()) return nullptr;
  if (code.copySectionData(buf.cursor(), buf.room(), hot->id()) ||
      code.copySectionData(buf.cold_cursor(), buf.cold_room(), cold->id()))
    return nullptr;
  uint8_t* start = buf.cursor();
  *cold_at = buf.cold_cursor();
  buf.commit(h);
  buf.commit_cold(c);
  *hot_size = h;
  *cold_size = c;
  return start;
}

uint8_t* place_code(CodeHolder& code, CodeBuffer& buf, size_t* size) {
  if (code.flatten() || code.resolveUnresolvedLinks() || code.relocateToBase(uint64_t(buf.cursor())))
    return nullptr;
  const size_t n = code.codeSize();
  if (n > buf.room()) return nullptr;
  if (code.copyFlattenedData(buf.cursor(), buf.room())) return nullptr;
  uint8_t* start = buf.cursor();
  buf.commit(n);
  if (size) *size = n;
  return start;
}

RuntimeRoutines emit_runtime(CodeBuffer& buf, JitContext* ctx, CpuState* state, const void* tlb,
                             LookupEntry* table, void* self, CalloutFn callout, RefillFn refill_exec) {
  CodeHolder code;
  code.init(Environment::host(), uint64_t(buf.cursor()));
  x::Assembler a(&code);
  const x::Gp ctxr = x::r11;
  auto ctx_field = [&](size_t off) { return x::qword_ptr(ctxr, int32_t(off)); };
  Label enter = a.newLabel(), exit_nosave = a.newLabel(), exit_save = a.newLabel();
  Label exit_link = a.newLabel(), thunk = a.newLabel(), miss = a.newLabel();

  // enter(code): callee-saved registers onto the host stack, guest state into registers.
  a.bind(enter);
  for (x::Gp r : {x::rbx, x::rbp, x::r12, x::r13, x::r14, x::r15}) a.push(r);
  a.sub(x::rsp, 8);  // 16-byte aligned inside translated code
  a.mov(ctxr, imm(uint64_t(ctx)));
  a.mov(ctx_field(offsetof(JitContext, host_rsp)), x::rsp);
  a.mov(x::qword_ptr(ctxr, int32_t(offsetof(JitContext, exit_block))), 0);
  a.mov(x::dword_ptr(ctxr, int32_t(offsetof(JitContext, exit_reason))), kExitCallout);
  a.mov(kState, imm(uint64_t(state)));
  a.mov(kTlb, x::rsi);
  a.mov(kBudget, ctx_field(offsetof(JitContext, limit)));
  a.sub(kBudget, x::qword_ptr(kState, int32_t(kIcountOffset)));
  a.add(kBudget, ctx_field(offsetof(JitContext, budget_base)));
  a.mov(x::r8, x::rdi);
  load_guest_flags(a);
  load_guest_regs(a);
  a.jmp(x::r8);

  // exit_budget: a block's entry found the budget too small (EIP stored, r13 as it was before).
  Label exit_budget = a.newLabel();
  a.bind(exit_budget);
  a.mov(ctxr, imm(uint64_t(ctx)));
  a.mov(x::dword_ptr(ctxr, int32_t(offsetof(JitContext, exit_reason))), kExitBudget);
  a.jmp(exit_save);

  // exit_page2: a straddler's entry found its second page not mapped as translated (EIP stored).
  Label exit_page2 = a.newLabel();
  a.bind(exit_page2);
  a.mov(ctxr, imm(uint64_t(ctx)));
  a.mov(x::dword_ptr(ctxr, int32_t(offsetof(JitContext, exit_reason))), kExitPage2);
  a.jmp(exit_save);

  // exit_link_spilled: as exit_link, the guest flags first back from the spill slot.
  Label exit_link_spilled = a.newLabel();
  a.bind(exit_link_spilled);
  restore_flags_lahf(a, x::r11, kFlagsSpillOffset);
  // exit_link: r10 = the block left, r9d = its exit slot.
  a.bind(exit_link);
  a.mov(ctxr, imm(uint64_t(ctx)));
  a.mov(ctx_field(offsetof(JitContext, exit_block)), x::r10);
  a.mov(x::dword_ptr(ctxr, int32_t(offsetof(JitContext, exit_slot))), x::r9d);
  a.mov(x::dword_ptr(ctxr, int32_t(offsetof(JitContext, exit_reason))), kExitLink);
  // exit_save: EIP is stored; registers, flags and the instruction count go back to CpuState.
  a.bind(exit_save);
  store_guest_regs(a);
  store_guest_flags(a);
  a.mov(ctxr, imm(uint64_t(ctx)));
  a.mov(x::r9, ctx_field(offsetof(JitContext, limit)));
  a.add(x::r9, ctx_field(offsetof(JitContext, budget_base)));
  a.sub(x::r9, kBudget);
  a.mov(x::qword_ptr(kState, int32_t(kIcountOffset)), x::r9);
  // exit_nosave: CpuState is complete (a callout left): back to C++.
  a.bind(exit_nosave);
  a.mov(ctxr, imm(uint64_t(ctx)));
  a.mov(x::rsp, ctx_field(offsetof(JitContext, host_rsp)));
  a.add(x::rsp, 8);
  for (x::Gp r : {x::r15, x::r14, x::r13, x::r12, x::rbp, x::rbx}) a.pop(r);
  a.ret();

  // callout: r10 = CalloutSite*. Guest state out, the C++ function runs the instruction, then
  // guest registers back in (it may have changed them) or leave. The guest flags come back parked
  // in the spill slot (the block takes them back only where it needs them, no POPFQ here).
  // callout_spilled: the same with the guest flags parked in the spill slot on entry.
  Label thunk_spilled = a.newLabel(), thunk_call = a.newLabel();
  a.bind(thunk);
  store_guest_regs(a);
  store_guest_flags(a);
  a.jmp(thunk_call);
  a.bind(thunk_spilled);
  store_guest_regs(a);
  eflags_from_spill(a, x::r9d, x::r11d, fl::ARITH);
  a.mov(x::dword_ptr(kState, int32_t(kEflagsOffset)), x::r9d);
  a.bind(thunk_call);
  a.mov(x::rdi, imm(uint64_t(self)));
  a.mov(x::rsi, x::r10);
  a.mov(x::rdx, kBudget);
  a.sub(x::rsp, 8);
  a.mov(x::rax, imm(uint64_t(callout)));
  a.call(x::rax);
  a.add(x::rsp, 8);
  a.test(x::eax, x::eax);
  a.jz(exit_nosave);
  a.mov(x::r9d, x::dword_ptr(kState, int32_t(kEflagsOffset)));  // -> the spill slot's LAHF form
  a.movzx(x::r11d, x::r9b);
  a.shl(x::r11d, 8);
  a.shr(x::r9d, 11);
  a.and_(x::r9d, 1);
  a.or_(x::r11d, x::r9d);
  a.mov(x::word_ptr(kState, int32_t(kFlagsSpillOffset)), x::r11w);
  Label go_switch = a.newLabel();
  a.cmp(x::eax, int32_t(kCalloutSwitch));
  a.je(go_switch);
  load_guest_regs(a);
  a.ret();
  // kCalloutSwitch: the instruction ended its block somewhere else, maybe in another mode; on
  // through the lookup routine for the new EIP (the call's return address is dropped).
  a.bind(go_switch);
  a.add(x::rsp, 8);
  a.mov(ctxr, imm(uint64_t(ctx)));
  // r13 from the instruction count (as on entry): the same after a block's last instruction,
  // and the budget back for the instructions after one that raised an exception.
  a.mov(kBudget, ctx_field(offsetof(JitContext, limit)));
  a.sub(kBudget, x::qword_ptr(kState, int32_t(kIcountOffset)));
  a.add(kBudget, ctx_field(offsetof(JitContext, budget_base)));
  a.mov(kTlb, ctx_field(offsetof(JitContext, next_base)));
  a.mov(x::r9, ctx_field(offsetof(JitContext, next_mode_tag)));
  a.mov(x::r8d, x::dword_ptr(kState, int32_t(kEipOffset)));
  load_guest_regs(a);
  a.mov(x::r10, ctx_field(offsetof(JitContext, next_lookup)));
  a.mov(x::r11, imm(uint64_t(&g_switch_ic)));  // (a hit fills it; nothing reads it)
  a.jmp(x::r10);

  // lookup: r8d = target EIP, r9 = mode tag, r11 = the site's InlineCache, flags parked. A hit —
  // the tag matches and the exec TLB maps the EIP's page to the block's physical page — fills
  // the inline cache (this epoch) and jumps to the block's entry_spilled (which
  // checks the budget); a miss leaves with EIP stored.
  Label lookup_at[2] = {a.newLabel(), a.newLabel()};
  const uint8_t* exec_tlb[2];  // the exec TLB sets (supervisor, user)
  for (unsigned user = 0; user < 2; ++user)
    exec_tlb[user] = static_cast<const uint8_t*>(tlb) +
                     (user * GuestMmu::kTlbKinds + GuestMmu::kTlbExec) * GuestMmu::kTlbSize * GuestMmu::kTlbEntryBytes;
  for (unsigned user = 0; user < 2; ++user) {
    a.bind(lookup_at[user]);
    a.mov(x::qword_ptr(kState, int32_t(kIcSlotOffset)), x::r11);
    a.or_(x::r9, x::r8);
    a.imul(x::r11d, x::r8d, int32_t(kLookupMul));
    a.shr(x::r11d, 32 - kLookupBits);
    a.and_(x::r11d, ~int32_t(kLookupWays - 1));
    a.shl(x::r11d, 5);
    a.mov(x::r10, imm(uint64_t(table)));
    a.add(x::r10, x::r11);
    Label found = a.newLabel();
    a.cmp(x::r9, x::qword_ptr(x::r10, int32_t(offsetof(LookupEntry, tag))));
    a.je(found);
    a.add(x::r10, int32_t(sizeof(LookupEntry)));  // the second way
    a.cmp(x::r9, x::qword_ptr(x::r10, int32_t(offsetof(LookupEntry, tag))));
    a.jne(miss);
    a.bind(found);
    a.mov(x::r11d, x::r8d);
    a.shr(x::r11d, 8);
    a.and_(x::r11d, (GuestMmu::kTlbSize - 1) * GuestMmu::kTlbEntryBytes);
    a.mov(x::r9, imm(uint64_t(exec_tlb[user])));
    a.add(x::r11, x::r9);
    a.mov(x::r9d, x::r8d);
    a.and_(x::r9d, int32_t(0xFFFFF000u));
    a.cmp(x::r9d, x::dword_ptr(x::r11, int32_t(GuestMmu::kTlbTagOffset)));
    const Label tlb_hit = a.newLabel();
    a.je(tlb_hit);
    // The table knows the EIP but the exec TLB does not hold its page (after a CR3 load, most
    // often): refill_exec (C++) walks the page tables for the fetch without raising anything
    // (guest registers saved around it, flags parked); true: the exec TLB now holds the page, so
    // the second check cannot come back here.
    store_guest_regs(a);
    a.push(x::r8);
    a.push(x::r10);  // (16 bytes: the host stack stays aligned for the call)
    a.mov(x::rdi, imm(uint64_t(self)));
    a.mov(x::esi, x::r8d);
    a.mov(x::rax, imm(uint64_t(refill_exec)));
    a.call(x::rax);
    a.pop(x::r10);
    a.pop(x::r8);
    a.mov(x::r9d, x::eax);
    load_guest_regs(a);
    a.test(x::r9d, x::r9d);
    a.jnz(found);
    a.jmp(miss);
    a.bind(tlb_hit);
    a.mov(x::r9d, x::dword_ptr(x::r11, int32_t(GuestMmu::kTlbPhysOffset)));
    a.and_(x::r9d, int32_t(~0xFFFu));  // (the global bit)
    a.cmp(x::r9d, x::dword_ptr(x::r10, int32_t(offsetof(LookupEntry, phys_page))));
    a.jne(miss);
    a.mov(x::r10, x::qword_ptr(x::r10, int32_t(offsetof(LookupEntry, code))));
    a.mov(x::r11, x::qword_ptr(kState, int32_t(kIcSlotOffset)));
    a.mov(x::dword_ptr(x::r11, int32_t(offsetof(InlineCache, eip))), x::r8d);
    a.mov(x::r9d, x::dword_ptr(kState, int32_t(kCodeEpochOffset + 4 * user)));
    a.mov(x::dword_ptr(x::r11, int32_t(offsetof(InlineCache, epoch))), x::r9d);
    a.mov(x::qword_ptr(x::r11, int32_t(offsetof(InlineCache, code))), x::r10);
    a.jmp(x::r10);
  }
  a.bind(miss);
  restore_flags_lahf(a, x::r10, kFlagsSpillOffset);
  a.mov(ctxr, imm(uint64_t(ctx)));
  a.mov(x::dword_ptr(ctxr, int32_t(offsetof(JitContext, exit_reason))), kExitLookupMiss);
  a.mov(x::dword_ptr(kState, int32_t(kEipOffset)), x::r8d);
  a.jmp(exit_save);
  static_assert(sizeof(LookupEntry) == 32, "lookup routine scales by 32");

  size_t size = 0;
  uint8_t* base = place_code(code, buf, &size);
  if (!base) throw std::runtime_error("cannot emit the translator's runtime routines");
  RuntimeRoutines r;
  auto at = [&](Label l) { return base + code.labelOffsetFromBase(l); };
  r.enter = reinterpret_cast<void (*)(const uint8_t*, const void*)>(at(enter));
  r.exit_save = at(exit_save);
  r.exit_budget = at(exit_budget);
  r.exit_page2 = at(exit_page2);
  r.exec_tlb[0] = exec_tlb[0];
  r.exec_tlb[1] = exec_tlb[1];
  r.exit_link = at(exit_link);
  r.exit_link_spilled = at(exit_link_spilled);
  r.callout = at(thunk);
  r.callout_spilled = at(thunk_spilled);
  r.lookup[0] = at(lookup_at[0]);
  r.lookup[1] = at(lookup_at[1]);
  r.bytes = buf.used();
  return r;
}

}  // namespace bt86::jit
