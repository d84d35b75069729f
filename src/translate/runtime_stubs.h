// The shared routines of translated code, generated once at the start of the code buffer:
// entering translated code from C++ (guest registers and flags into host registers), the exits
// back (guest state written to CpuState, icount settled), the callout thunk (guest state out, a
// C++ function runs one guest instruction, guest state back in or leave), and the inline lookup
// of indirect branch targets. Register convention: jit_abi.h.
#pragma once
#include <unordered_set>
#include <cstdint>
#include "translate/jit_abi.h"

namespace bt86 {

class CodeBuffer;
struct CpuState;
struct CalloutSite;

namespace jit {

// Runs one guest instruction for translated code: returns nonzero to go on in the block.
using CalloutFn = uint32_t (*)(void* self, const CalloutSite* site, uint64_t budget_reg);  // (r13)
// Fills the exec TLB entry of `eip` for a lookup (at the current privilege) if the page tables
// map it to RAM, changing no guest state but the accessed bits a fetch sets: nonzero if it did,
// 0 if not (no fault raised; the lookup leaves and C++ does the rest).
using RefillFn = uint32_t (*)(void* self, uint32_t eip);

struct RuntimeRoutines {
  void (*enter)(const uint8_t* code, const void* mem_base) = nullptr;  // runs translated code
                                       // until an exit, r14 = mem_base
  const uint8_t* exit_save = nullptr;  // EIP stored: write the guest state back and return
  const uint8_t* exit_budget = nullptr;  // as exit_save, counted as a budget exit
  const uint8_t* exit_page2 = nullptr;   // as exit_save, counted as a straddler's failed page check
  const uint8_t* exec_tlb[2] = {};       // the exec TLB sets (supervisor, user): GuestMmu::kTlbExec
  ReturnSlot* const* ras = nullptr;      // the return-address stack (kRasEntries); null: none
  const uint8_t* exit_link = nullptr;  // as exit_save, r10 = Block*, r9d = exit slot (chainable)
  const uint8_t* exit_link_spilled = nullptr;  // the same, guest flags parked in the spill slot
  const uint8_t* callout = nullptr;    // call with r10 = CalloutSite*, guest flags in the host;
                                       // returns with them parked in the spill slot
  const uint8_t* callout_spilled = nullptr;  // the same, guest flags parked on entry too
  const uint8_t* lookup[2] = {};       // jump with r8d = target EIP, r9 = mode tag (mode << 32),
                                       // r11 = the site's InlineCache, guest flags parked in the
                                       // spill slot; [1] for CPL 3 code (it checks the user TLB).
                                       // A hit fills the inline cache and enters the block where
                                       // it takes the flags parked (entry_spilled).
  size_t bytes = 0;                    // code buffer bytes they take
  int32_t seg_ok_offset = 0, seg_base_offset = 0;  // GuestMmu::seg_fast_* from the TLB register
  // Linear views (mmu/linear_views.h): memory operands are `[r14 + lin]`, FS/GS through
  // GuestMmu::seg_view / seg_fast_base, faults go to the slow path through the SIGSEGV handler.
  bool views = false;
  uint8_t* const (*seg_view)[6][2] = nullptr;  // GuestMmu::seg_view
  const uint32_t* seg_base = nullptr;          // GuestMmu::seg_fast_base
  // Guest EIPs whose instruction is translated as a callout: it kept storing into traced page
  // tables (Translator::adapt).
  const std::unordered_set<uint32_t>* adapted = nullptr;
};

// Emits the routines at the start of `buf`. Throws std::runtime_error if AsmJit fails.
RuntimeRoutines emit_runtime(CodeBuffer& buf, JitContext* ctx, CpuState* state, const void* tlb,
                             LookupEntry* table, void* self, CalloutFn callout, RefillFn refill_exec);

// Sequences the block translator shares with the routines.
void store_guest_regs(x::Assembler& a);  // host registers -> CpuState::r
void load_guest_regs(x::Assembler& a);   // CpuState::r -> host registers
void store_guest_flags(x::Assembler& a); // host arithmetic flags -> CpuState::eflags (uses r9, r11)
void load_guest_flags(x::Assembler& a);  // CpuState::eflags arithmetic flags -> host (uses r9)
// The six arithmetic flags to a 16-bit CpuState field and back without PUSHFQ/POPFQ (POPFQ is
// slow): LAHF takes SF ZF AF PF CF into bits 8-15, SETO OF into bit 0; ADD AL, 0x7F sets OF again
// and SAHF the rest. `temp` keeps guest EAX meanwhile.
void save_flags_lahf(x::Assembler& a, const x::Gp& temp, size_t state_offset);
// dst = CpuState::eflags without `dropped` (which must include the arithmetic flags) | the
// arithmetic flags parked in the spill slot (LAHF byte: SF ZF AF PF CF; SETO byte: OF).
void eflags_from_spill(x::Assembler& a, const x::Gp& dst, const x::Gp& temp, uint32_t dropped);
void restore_flags_lahf(x::Assembler& a, const x::Gp& temp, size_t state_offset);

// Finishes code emitted by `a` (holder based at `buf.cursor()`): resolves, copies it into the
// buffer and returns its start, or null if it does not fit or AsmJit reported an error.
uint8_t* place_code(asmjit::CodeHolder& code, CodeBuffer& buf, size_t* size);
// (block_translator.cpp's hot and cold sections at the buffer's two cursors: code_buffer.h)
uint8_t* place_split_code(asmjit::CodeHolder& code, asmjit::Section* cold, CodeBuffer& buf, size_t* hot_size,
                          uint8_t** cold_at, size_t* cold_size);

}  // namespace jit
}  // namespace bt86
