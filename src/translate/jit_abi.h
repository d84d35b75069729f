// The register convention of translated code (x86-64 host) and the context block its shared
// routines reach by absolute address. Guest GPRs live in host registers for the whole time guest
// code runs translated (across chained blocks); the guest's six arithmetic flags live in host
// EFLAGS (host DF stays 0: the guest's DF lives in CpuState and DF-dependent instructions run as
// callouts). See docs/translator.md.
//
//   guest EAX ECX EDX EBX ESP EBP ESI EDI  ->  host eax ecx edx ebx r12d ebp esi edi
//   r15 = CpuState*   r14 = the memory base (the MMU's TLB; with linear views, the view of the
//   current privilege level, so a flat access is `op [r14 + lin]`)   r13 = instructions left, as
//   an address in the BudgetArea (budget_area.h)
//   r8-r11 scratch (r10 = linear address of a memory operand, r11 = its host addend after a
//   probe, r8 = a branch target EIP for the lookup routine, r9 = its mode tag)
// The host stack pointer is 16-byte aligned inside translated code.
#pragma once
#include <asmjit/x86.h>
#include <cstddef>
#include <cstdint>

namespace bt86 {

struct Block;

namespace jit {

namespace x = asmjit::x86;

inline x::Gp guest_reg32(unsigned r) {
  static const x::Gp map[8] = {x::eax, x::ecx, x::edx, x::ebx, x::r12d, x::ebp, x::esi, x::edi};
  return map[r & 7];
}
inline x::Gp guest_reg64(unsigned r) {
  static const x::Gp map[8] = {x::rax, x::rcx, x::rdx, x::rbx, x::r12, x::rbp, x::rsi, x::rdi};
  return map[r & 7];
}
inline const x::Gp kState = x::r15;
inline const x::Gp kTlb = x::r14;      // the memory base: the TLB, or with linear views the
                                       // view of the running code's privilege
inline const x::Gp kBudget = x::r13;

// What the dispatcher and the shared routines exchange (one per translator).
struct JitContext {
  uint64_t limit = 0;          // s.icount at which the budget ends (r13 = budget_base + limit - icount)
  uint64_t budget_base = 0;    // BudgetArea::base()
  uint64_t host_rsp = 0;       // host stack pointer inside the entry routine (exits restore it)
  Block* exit_block = nullptr; // a chainable exit: the block it left and which exit
  uint32_t exit_slot = 0;
  uint32_t exit_reason = 0;    // ExitReason of the last exit
  // A callout that returns kCalloutSwitch (a block-ending instruction that changed the mode or
  // jumped elsewhere, SYSENTER/SYSEXIT/IRET/INT..., or one whose guest exception it delivered)
  // continues through the lookup routine `next_lookup` with r14 = next_base, r9 = next_mode_tag,
  // r11 = &switch_ic and r13 from s.icount, instead of leaving translated code.
  uint64_t next_base = 0;
  uint64_t next_mode_tag = 0;
  const uint8_t* next_lookup = nullptr;
};

// What Translator::callout returns to the callout thunk.
enum CalloutResult : uint32_t { kCalloutLeave = 0, kCalloutGoOn = 1, kCalloutSwitch = 2 };

// Why translated code returned to C++ (statistics).
enum ExitReason : uint32_t { kExitCallout = 0, kExitLink, kExitLookupMiss, kExitBudget, kExitPage2, kExitReasons };

// The inline indirect-branch table: guest (EIP, mode) -> host entry, valid while the TLB maps the
// EIP's page to the physical page the block was translated from (so mapping changes need no
// flush); an entry goes when its block does (translator.cpp).
// An indirect branch site's inline cache (in the code buffer's data area): the last target it
// jumped to and the block's entry_spilled, valid while the site's CpuState::jit_code_epoch (by its code's privilege) is unchanged.
struct InlineCache {
  uint32_t eip = ~0u;
  uint32_t epoch = 0;  // (never a current epoch: empty)
  const uint8_t* code = nullptr;
};
static_assert(sizeof(InlineCache) == 16, "translated code reads it by fixed offsets");

// A call site's return slot (in the code buffer's data area): the inline cache of the return to
// it — found by the RET that comes back through the return-address stack, filled by the lookup
// routine like any inline cache — and the mode of the code that made the call (a RET whose own
// mode differs, after a mode change in between, does not use it).
struct ReturnSlot {
  InlineCache ic;  // ic.eip: the call's return address, fixed
  uint32_t mode = ~0u;
  uint32_t pad[3] = {};
};
static_assert(sizeof(ReturnSlot) == 32 && offsetof(ReturnSlot, mode) == 16, "translated code reads it by fixed offsets");
// The return-address stack: a translated CALL stores its return slot at the entry of the guest
// stack address that holds the return address, bits 2-15 (the entry's byte offset is
// (ESP & 0xFFFC) * 2); the RET reading that stack word looks there first. Entries always point
// at a slot (an empty one matches nothing), so a stale or clobbered entry costs only a miss.
constexpr unsigned kRasEntries = 1u << 14;

struct LookupEntry {
  uint64_t tag = ~0ull;  // EIP | mode << 32
  const uint8_t* code = nullptr;
  uint32_t phys_page = 1;  // never page-aligned: no TLB entry matches an empty slot
  uint32_t pad[3] = {};
};
constexpr unsigned kLookupBits = 14, kLookupEntries = 1u << kLookupBits;
// Two-way sets, indexed by a multiplicative hash (nearby EIPs must not collide: a call target and
// its return often are); lookup_index gives the set's first entry.
constexpr uint32_t kLookupMul = 0x9E3779B1u;
constexpr unsigned kLookupWays = 2;
inline unsigned lookup_index(uint32_t eip) { return ((eip * kLookupMul) >> (32 - kLookupBits)) & ~(kLookupWays - 1); }

}  // namespace jit
}  // namespace bt86
