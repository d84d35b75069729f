// The binary translator engine (tier 1, DESIGN.md §5): guest blocks of flat 32-bit protected-mode
// code become host code in a translation cache (block_translator.h), chained by patched jumps and
// reached through an inline lookup for indirect branches and returns. Everything it declines —
// real, 16-bit and V86 code, non-flat segments, alignment checking, single-step and breakpoints,
// one-off blocks — runs in the interpreter block by block over the same CpuState and GuestMmu.
// Same Engine contract as the interpreter (engine.h): exact budgets, faults delivered inside.
#pragma once
#include <array>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include "cpu/block_cache.h"
#include "cpu/block_decoder.h"
#include "translate/block_translator.h"
#include "translate/budget_area.h"
#include "cpu/engine.h"
#include "cpu/interpreter.h"
#include "mmu/linear_views.h"
#include "translate/code_buffer.h"
#include "translate/jit_abi.h"
#include "translate/runtime_stubs.h"
#include "translate/translated_code.h"

namespace bt86 {

// Why a block ran in the interpreter instead of translated code (stats).
enum class DeclineReason : uint8_t {
  Mode,       // not flat 32-bit protected mode (real, 16-bit, V86, segmented), or alignment checks
  Debug,      // single-step, RF, breakpoints, an interrupt-shadow step
  OneOff,     // an uncacheable block (instruction across pages, code in MMIO)
  Budget,     // the budget ends inside the block: the interpreter runs it cut short
  Cold,       // run fewer than Options::hot_after times yet (most code runs once: boot, init)
  Count
};

// The translator's statistics (-stats, monitor "info jit").
struct TranslatorStats {
  uint64_t blocks_translated = 0;
  uint64_t code_bytes = 0;        // host code emitted (all flushes): hot
  uint64_t cold_code_bytes = 0;   // and cold
  uint64_t laid_out = 0;          // blocks translated right behind their predecessor
  uint64_t translate_ns = 0;      // host time spent translating
  uint64_t guest_insns_translated = 0;  // guest instructions emitted (inline + callouts)
  uint64_t inline_insns = 0, callout_insns = 0;  // of those, by how
  uint64_t insns_in_translated = 0;   // guest instructions retired while translated code ran
  uint64_t insns_in_interpreter = 0;  // guest instructions retired by the interpreter
  uint64_t entries = 0;           // entries into translated code from C++
  std::array<uint64_t, jit::kExitReasons> exits{};  // returns to C++ by ExitReason
  uint64_t chained_exits = 0;     // exits from a chainable stub that was then linked
  uint64_t unchained_exits = 0;   // other exits back to C++
  uint64_t lookup_fills = 0;      // indirect-table entries written
  uint64_t lookup_flushes = 0;    // indirect-table flushes (all blocks dropped)
  uint64_t buffer_flushes = 0;    // code buffer full: everything dropped
  uint64_t x87_loads = 0;         // guest x87 state loaded into the host FPU (FRSTOR)
  uint64_t faults_raised_early = 0;  // #PF of memory slow paths raised by their callout's walk
  uint64_t faults_in_place = 0;      // guest exceptions of callouts delivered without leaving
  uint64_t exec_refills = 0;      // exec TLB entries the lookup routine refilled (no exit)
  uint64_t straddlers = 0;        // translated blocks of one instruction across a page end
  uint64_t thunks_inlined = 0;    // translated blocks whose CALL runs a PC thunk inline
  uint64_t adapted = 0;           // instructions retranslated with their access as a callout
                                  // (they kept writing traced page tables: Translator::adapt)
  uint64_t switches = 0;          // block-ending callouts that went on through the lookup routine
                                  // (SYSENTER, SYSEXIT, IRET, ...) instead of leaving
  std::array<uint64_t, size_t(CalloutKind::Count)> callouts{};
  std::array<uint64_t, size_t(DeclineReason::Count)> declined{};
  std::vector<uint64_t> callouts_by_mnemonic;  // (ZydisMnemonic) -> callouts run
  std::vector<uint64_t> leaving_by_mnemonic;   // (ZydisMnemonic) -> callouts that left translated code
  std::vector<uint64_t> switch_by_mnemonic;    // (ZydisMnemonic) -> callouts that went on elsewhere
};

class Translator final : public Engine {
 public:
  struct Options {
    size_t code_buffer_bytes = 64u << 20;
    unsigned max_block_insns = 128;
    std::string perf_map;  // path of a perf map to write ("" = none)
    bool linear_views = true;  // memory through mmu/linear_views.h (else the inline TLB probe)
    bool shadow_trace = false; // page-table write tracing for the user views (LinearViews::set_tracing)
    unsigned hot_after = 8;    // a block is translated once the interpreter has run it this often
  };
  explicit Translator(Cpu& cpu) : Translator(cpu, Options{}) {}
  Translator(Cpu& cpu, Options options);
  ~Translator() override;

  const char* name() const override { return "translator"; }
  uint64_t run(uint64_t budget) override { return run_loop(budget, false); }
  uint64_t run_block(uint64_t budget) override { return run_loop(budget, true); }
  const Block* last_block() const override { return last_; }
  EngineStats stats() const override;
  void describe_block(const Block& b, FILE* out) const override;
  const TranslatorStats& jit_stats() const { return js_; }
  // QEMU "info jit"-style text (monitor and -stats).
  std::string describe_stats() const;

  // Runs one guest instruction for translated code (the callout thunk calls it).
  uint32_t callout(const CalloutSite& site, int64_t budget_left);
  uint64_t budget_base() const { return budget_.base(); }
  bool refill_exec(uint32_t eip);
  // The SIGSEGV handler's question: a host fault at `addr` by the instruction at `pc`. If it is a
  // translated access into this translator's views, maps the page and returns true (retry) or
  // sets *resume to the access's slow path; returns false if the fault is not ours.
  // regs: the faulting context's registers (gregs; an Unsettled block's flag state is in r9 and
  // the slow path may need the parked flags put into its EFLAGS, see block_translator.cpp).
  bool handle_host_fault(const uint8_t* pc, const void* addr, bool write, long long* regs, const uint8_t** resume);
  const LinearViews* views() const { return views_.get(); }

 private:
  uint64_t run_loop(uint64_t budget, bool one_block);
  static bool translatable(uint32_t mode);  // (a block_mode word) runs translated
  const void* memory_base(bool user);       // r14 for code of that privilege (and the GS base)
  // After a block-ending callout: whether translated code may go on at the new CS:EIP itself
  // (through the lookup routine) — what the run loop would do next is only a lookup — and if so
  // prepares ctx_ for it (the view of the new privilege level, the mode tag, the lookup routine).
  bool switch_in_place(int64_t budget_left);
  uint32_t leave_or_deliver(int64_t budget_left);
  // The block at CS:EIP, translated on a miss; null if it runs in the interpreter (one-off, or
  // *cold: not run often enough yet) or if fetching it faults (*fault; other guest faults, e.g.
  // in decoding across pages, are thrown).
  Block* lookup_translated(uint32_t* flushed, bool* cold, std::optional<GuestFault>* fault);
  Block* install(std::unique_ptr<Block> b, std::shared_ptr<TranslatedCode> tc, const TranslationCounts& counts,
                 uint64_t t0);
  void lay_out_successors(const Block& first, const uint8_t* page);  // (first: not a straddler)
  static constexpr unsigned kLayoutDepth = 8;
  void run_interpreter(uint64_t limit, DeclineReason why, bool step_after_shadow = false);
  void patch(Block& from, uint8_t slot, const Block* to);
  void unpatch(Block& from, uint8_t slot);
  void flush_lookup_table();
  void remember_for_lookup(const Block& b);
  const uint8_t* second_page_bytes(const Block& b, uint32_t lin);
  void note_pc_thunk(Block& b);
  const uint8_t* fetchable(uint32_t lin, uint32_t* phys);
  void flush_code();
  void note_perf_map(const Block& b, const TranslatedCode& tc);
  void adapt(const CalloutSite& site);

  Cpu& cpu_;
  Options opt_;
  std::unique_ptr<LinearViews> views_;
  std::string views_off_reason_;  // why linear views were wanted but could not be set up
  // Every block's host code in code-buffer order (the buffer only grows until a flush), so the
  // SIGSEGV handler finds the block of a faulting host address by binary search and then the
  // access among its fault sites; entries stay until the flush (a dropped block's code may still
  // be running up to its next exit).
  std::vector<std::shared_ptr<TranslatedCode>> code_order_;
  std::vector<uint32_t> code_entry_off_;   // their entries' offsets in the buffer (same order)
  std::vector<uint32_t> code_cold_off_;    // their cold parts' offsets (same order, ascending too)
  std::vector<uint32_t> code_page_first_;  // per 4 KiB of buffer: first block starting there or later
  void note_code_order(const std::shared_ptr<TranslatedCode>& tc);
  // The block being translated, as Zydis decoded it (max_block_insns entries, reused).
  std::unique_ptr<RawDecode[]> raw_{new RawDecode[opt_.max_block_insns]};
  std::unordered_set<uint64_t> one_off_;  // phys << 32 | mode of blocks left to the interpreter
  static uint64_t one_off_key_of(const BlockKey& k) { return uint64_t(k.phys) << 32 | k.mode; }
                                          // (uncacheable, or refused by the assembler)
  std::unique_ptr<uint8_t[]> heat_;  // interpreted runs per block (hashed; a collision only
                                     // translates a block early, see docs/translator.md)
  static constexpr unsigned kHeatBits = 20;
  uint8_t& heat_of(const BlockKey& k) { return heat_[(k.phys * 0x9E3779B1u ^ k.mode * 0x85EBCA6Bu) >> (32 - kHeatBits)]; }
  Interpreter interp_;
  BlockCache cache_;
  CodeBuffer buf_;
  BudgetArea budget_;
  jit::JitContext ctx_;
  std::unique_ptr<jit::LookupEntry[]> table_;
  std::unique_ptr<jit::ReturnSlot*[]> ras_;  // the return-address stack (jit_abi.h)
  jit::ReturnSlot ras_empty_;                // what its entries point at when they hold nothing
  void clear_ras();
  jit::RuntimeRoutines rt_;
  const Block* last_ = nullptr;
  bool prefault_pending_ = false;  // a user access's #PF was raised: its page (prefault_lin_)
  uint32_t prefault_lin_ = 0;      // goes into the user view at the next IRET to CPL 3
  FILE* perf_map_ = nullptr;
  // Page-table write tracing's adaptation (adapt): slow-path stores into traced page tables by
  // guest EIP, and the EIPs now translated as callouts (RuntimeRoutines::adapted).
  static constexpr uint32_t kAdaptAfter = 2;
  std::unordered_map<uint32_t, uint32_t> pt_write_sites_;
  std::unordered_set<uint32_t> adapted_;
  EngineStats st_;
  TranslatorStats js_;
};

}  // namespace bt86
