// The host side of a translated block: where its code is, the exit stubs the dispatcher patches
// into direct jumps (chaining), and the callout sites its code passes to the VMM (each names the
// guest instruction, so a callout knows the guest EIP and instruction count exactly).
#pragma once
#include <cstdint>
#include <vector>
#include "cpu/insn.h"

namespace bt86 {

// Why translated code called out for one guest instruction (stats: "callouts by kind").
enum class CalloutKind : uint8_t {
  MemorySlowPath,  // TLB miss, MMIO, page crossing or code page: the interpreter does the access
  Sensitive,       // a block-ending sensitive instruction (INT, IRET, far transfer, MOV CRn, ...)
  Segment,         // a memory operand through FS/GS or CS (not flat)
  Unsupported,     // an instruction the translator does not emit inline (yet)
  X87State,        // a native x87 instruction found the guest x87 state not in the host FPU:
                   // loaded (the instruction then runs natively) or, if it cannot be, interpreted
  Adapted,         // an instruction that kept writing traced page tables (Translator::adapt)
  Count
};
const char* callout_kind_name(CalloutKind k);

struct CalloutSite {
  const Insn* insn = nullptr;  // the instruction, as the interpreter runs it
  uint32_t eip = 0;            // its EIP
  uint16_t left = 0;           // instructions of the block from it to the end (icount fix-up)
  bool ends_block = false;     // a terminal: leave translated code afterwards (but see below)
  bool may_go_on = false;      // POPF, STI: the block goes on to the next instruction if it
                               // changed nothing the block's mode holds and no interrupt waits
  uint32_t mode = 0;           // the block's mode (block_mode)
  // MemorySlowPath sites whose access is the instruction's first one, flat: 1 a read, 2 a write.
  // The slow path passes its linear address (CpuState::jit_slow_lin) and the callout walks the
  // page tables for it first as the interpreter would: a #PF is raised from there, without
  // running the instruction to throw it (a C++ exception costs microseconds; new processes
  // take many page faults).
  uint8_t first_access = 0;
  CalloutKind kind = CalloutKind::Unsupported;
};

struct TranslatedCode {
  uint8_t* code = nullptr;           // the block's host code: [code, code + size)
  uint8_t* entry = nullptr;          // the entry with the guest flags in the host flags
  uint8_t* entry_spilled = nullptr;  // the entry for callers that parked the guest flags in the
                                     // spill slot (lookups, stubs after a clobber)
  uint32_t size = 0;       // the hot part's bytes
  uint8_t* cold = nullptr;  // its cold code (elsewhere in the buffer: code_buffer.h)
  uint32_t cold_size = 0;
  // Offsets (from `code`; the cold code lies above) of the budget exits, where the SIGSEGV
  // handler sends a budget check that found the budget spent: one for checks at or past `entry`,
  // one (taking the flags back) for a check before it (entry_spilled's own, see Emitter::run).
  // A check in the cold code is one of budget_sites.
  uint32_t budget_exit = 0, budget_exit_spilled = 0;
  // Chainable exits (slot 0: jump / taken / fall-through, slot 1: not taken): the stub, a
  // `jmp rel32` to its cold part, is pointed at the target's entry when linked and back when the
  // link is undone (its five bytes kept here).
  uint8_t* stub[2] = {nullptr, nullptr};
  uint8_t stub_bytes[2][5] = {};
  bool stub_spilled[2] = {false, false};  // the flags are in the spill slot at that stub
  // A Jcc's taken arm is slot 0's stub: linking also points the Jcc's rel32 (here) straight at
  // the target's entry, saving the jump through the stub; unlinking points it back at the stub.
  uint8_t* jcc_rel = nullptr;
  // Linear views: host accesses that may fault (offset of the instruction) -> the slow path the
  // SIGSEGV handler sends them to (offset), sorted by access offset.
  struct FaultSite {
    uint32_t access, slow_path;
    bool unsettled = false;  // an Unsettled body's access: with r9d = 1 the guest flags are
                             // parked, and go into the host flags before the slow path
  };
  std::vector<FaultSite> fault_sites;
  // Budget checks other than the entries' (an inlined thunk's; a cold entry_spilled's, see
  // EntryOrder) -> where they go when the budget is spent (access = the check's load).
  std::vector<FaultSite> budget_sites;
};

}  // namespace bt86
