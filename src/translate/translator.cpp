// The translator engine: the dispatcher loop (interrupts, faults, what runs where), translation
// on a cache miss, chaining by patching exit stubs, the indirect-branch table, the code-buffer
// flush, callouts and statistics. See translator.h and docs/translator.md.
#include "translate/translator.h"

#include <signal.h>
#include <ucontext.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include "cpu/block_builder.h"
#include "cpu/block_decoder.h"
#include "cpu/cpu.h"
#include "cpu/cpu_trace.h"
#include "cpu/fpu_host.h"
#include "translate/block_translator.h"
#include "translate/gs_base.h"

namespace bt86 {

namespace {

BlockDecoder& decoder() {
  static thread_local BlockDecoder d;
  return d;
}

uint32_t callout_entry(void* self, const CalloutSite* site, uint64_t budget_reg) {
  Translator* t = static_cast<Translator*>(self);
  return t->callout(*site, int64_t(budget_reg - t->budget_base()));
}

uint32_t refill_entry(void* self, uint32_t eip) { return static_cast<Translator*>(self)->refill_exec(eip); }

// Live translators, for the process-wide SIGSEGV handler (linear views, budget checks).
std::vector<Translator*>& translators() {
  static std::vector<Translator*> v;
  return v;
}
struct sigaction g_previous_segv;

void on_segv(int sig, siginfo_t* info, void* context) {
  ucontext_t* uc = static_cast<ucontext_t*>(context);
  const uint8_t* pc = reinterpret_cast<const uint8_t*>(uc->uc_mcontext.gregs[REG_RIP]);
  const bool write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
  for (Translator* t : translators()) {
    const uint8_t* resume = nullptr;
    if (t->handle_host_fault(pc, info->si_addr, write, uc->uc_mcontext.gregs, &resume)) {
      if (resume) uc->uc_mcontext.gregs[REG_RIP] = greg_t(resume);
      return;
    }
  }
  // Not a translated guest access: whatever handled SIGSEGV before (default: the crash it is).
  if (g_previous_segv.sa_flags & SA_SIGINFO) {
    g_previous_segv.sa_sigaction(sig, info, context);
  } else if (g_previous_segv.sa_handler != SIG_IGN && g_previous_segv.sa_handler != SIG_DFL) {
    g_previous_segv.sa_handler(sig);
  } else {
    signal(SIGSEGV, SIG_DFL);  // returning re-runs the access, which now ends the process
  }
}

// Installs the handler unless it is the current one (something else — a test framework — may
// have replaced it since: it is checked at every run, one system call per time slice).
void install_segv_handler() {
  struct sigaction cur {};
  sigaction(SIGSEGV, nullptr, &cur);
  if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_segv) return;
  struct sigaction act {};
  act.sa_sigaction = on_segv;
  act.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&act.sa_mask);
  sigaction(SIGSEGV, &act, &g_previous_segv);
}

uint64_t host_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch()).count());
}

}  // namespace

const char* callout_kind_name(CalloutKind k) {
  switch (k) {
    case CalloutKind::MemorySlowPath: return "memory slow path";
    case CalloutKind::Sensitive: return "sensitive";
    case CalloutKind::Segment: return "FS/GS/CS segment";
    case CalloutKind::Unsupported: return "not inline";
    case CalloutKind::X87State: return "x87 state not loaded";
    case CalloutKind::Adapted: return "page-table writer";
    case CalloutKind::Count: break;
  }
  return "?";
}

static const char* decline_name(DeclineReason r) {
  switch (r) {
    case DeclineReason::Mode: return "mode";
    case DeclineReason::Debug: return "debug/step";
    case DeclineReason::OneOff: return "one-off block";
    case DeclineReason::Budget: return "budget cut";
    case DeclineReason::Cold: return "cold";
    case DeclineReason::Count: break;
  }
  return "?";
}

Translator::Translator(Cpu& cpu, Options options)
    : cpu_(cpu), opt_(std::move(options)), interp_(cpu), cache_(cpu.mmu.code_pages),
      buf_(opt_.code_buffer_bytes), table_(new jit::LookupEntry[jit::kLookupEntries]),
      ras_(new jit::ReturnSlot*[jit::kRasEntries]) {
  clear_ras();
  heat_.reset(new uint8_t[1u << kHeatBits]());
  js_.callouts_by_mnemonic.assign(ZYDIS_MNEMONIC_MAX_VALUE + 1, 0);
  js_.leaving_by_mnemonic.assign(ZYDIS_MNEMONIC_MAX_VALUE + 1, 0);
  js_.switch_by_mnemonic.assign(ZYDIS_MNEMONIC_MAX_VALUE + 1, 0);
  if (opt_.linear_views) {
    // The views need 12 GiB of address space (reserved, not memory); under an address-space
    // limit (ulimit -v) translated code falls back to the TLB probe, and the statistics say why.
    try {
      views_ = std::make_unique<LinearViews>(cpu_.mmu, cpu_.mem);
      views_->set_tracing(opt_.shadow_trace);
    } catch (const std::runtime_error& e) {
      views_off_reason_ = e.what();
    }
  }
  rt_ = jit::emit_runtime(buf_, &ctx_, &cpu_.s, cpu_.mmu.tlb_base(), table_.get(), this, &callout_entry,
                          &refill_entry);
  rt_.views = views_ != nullptr;
  rt_.adapted = &adapted_;
  ctx_.budget_base = budget_.base();
  install_segv_handler();
  translators().push_back(this);
  rt_.seg_view = cpu_.mmu.seg_view;
  rt_.seg_base = cpu_.mmu.seg_fast_base;
  rt_.seg_ok_offset = cpu_.mmu.seg_fast_ok_offset();
  rt_.seg_base_offset = cpu_.mmu.seg_fast_base_offset();
  rt_.ras = ras_.get();
  cache_.on_unlink = [this](Block& from, uint8_t slot) { unpatch(from, slot); };
  cache_.on_remove = [this](Block* b) {
    bump_code_epochs(cpu_.s);  // (inline caches may point at it)
    if (!b) return flush_lookup_table();
    jit::LookupEntry* set = &table_[jit::lookup_index(b->key.eip)];
    for (unsigned w = 0; w < jit::kLookupWays; ++w)
      if (b->host && set[w].code == b->host->entry_spilled) set[w] = jit::LookupEntry{};
  };
  if (!opt_.perf_map.empty()) {
    perf_map_ = std::fopen(opt_.perf_map.c_str(), "w");
    if (!perf_map_) std::fprintf(stderr, "bt86: cannot write the perf map %s\n", opt_.perf_map.c_str());
  }
  if (perf_map_) {  // the shared routines, each up to the next one (rt_.bytes ends the last)
    const std::pair<const void*, const char*> routines[] = {
        {reinterpret_cast<const void*>(rt_.enter), "bt86:enter"}, {rt_.exit_budget, "bt86:exit_budget"},
        {rt_.exit_link, "bt86:exit_link"}, {rt_.exit_save, "bt86:exit_save"},
        {rt_.callout, "bt86:callout_thunk"}, {rt_.callout_spilled, "bt86:callout_thunk_spilled"},
        {rt_.lookup[0], "bt86:lookup"}, {rt_.lookup[1], "bt86:lookup_user"}};
    std::vector<std::pair<const uint8_t*, const char*>> v;
    for (const auto& [p, name] : routines) v.push_back({static_cast<const uint8_t*>(p), name});
    std::sort(v.begin(), v.end());
    const uint8_t* end = reinterpret_cast<const uint8_t*>(rt_.enter) + rt_.bytes;
    for (size_t k = 0; k < v.size(); ++k) {
      const uint8_t* next = k + 1 < v.size() ? v[k + 1].first : end;
      std::fprintf(perf_map_, "%lx %lx %s\n", (unsigned long)(uintptr_t)v[k].first, (unsigned long)(next - v[k].first), v[k].second);
    }
    std::fflush(perf_map_);
  }
}

Translator::~Translator() {
  auto& v = translators();
  v.erase(std::remove(v.begin(), v.end(), this), v.end());
  if (perf_map_) std::fclose(perf_map_);
}

EngineStats Translator::stats() const {
  EngineStats s = st_;
  const EngineStats i = interp_.stats();
  s.blocks_made += i.blocks_made;
  s.blocks_cached = cache_.count() + i.blocks_cached;
  s.links_made = cache_.links_made() + i.links_made;
  s.invalidations = cache_.invalidations() + i.invalidations;
  s.block_execs += i.block_execs;
  s.lookups += i.lookups;
  s.one_off_blocks += i.one_off_blocks;
  return s;
}

// Flat 32-bit protected mode without alignment checks: what translated code assumes.
bool Translator::translatable(uint32_t m) {
  using namespace block_mode;
  return (m & (CODE32 | STACK32 | PE | FLAT | VM86 | ALIGN_CHECK)) == (CODE32 | STACK32 | PE | FLAT);
}

// What r14 holds in translated code of this privilege: its linear view (also made the host GS
// base, for the flat accesses' gs: addr32 form, gs_base.h), or the TLB without views.
const void* Translator::memory_base(bool user) {
  if (!views_) return cpu_.mmu.tlb_base();
  uint8_t* const view = views_->base(user);
  set_host_gs_base(uint64_t(view));
  return view;
}

// One block (or, after an interrupt shadow, one instruction) in the interpreter, counted.
void Translator::run_interpreter(uint64_t limit, DeclineReason why, bool step_after_shadow) {
  ++js_.declined[size_t(why)];
  cpu_.sync_fpu();  // (the interpreter's x87 handlers would too; its tracing reads s.fpu)
  const uint64_t before = cpu_.s.icount;
  if (step_after_shadow) interp_.step_after_shadow();
  else interp_.run_block(limit - cpu_.s.icount);
  js_.insns_in_interpreter += cpu_.s.icount - before;
  last_ = interp_.last_block();
}

void Translator::flush_lookup_table() {
  for (unsigned k = 0; k < jit::kLookupEntries; ++k) table_[k] = jit::LookupEntry{};
  ++js_.lookup_flushes;
}

bool Translator::handle_host_fault(const uint8_t* pc, const void* addr, bool write, long long* regs, const uint8_t** resume) {
  if (!buf_.contains(pc)) return false;
  const bool budget_check = budget_.exhausted_at(addr);
  if (!budget_check && (!views_ || views_->view_of(addr) < 0)) return false;
  // The block holding pc: the last one starting at or before it. Blocks are appended in code
  // order; code_page_first_ narrows the search to the blocks starting in pc's 4 KiB of the buffer
  // (and the one before, which may run into it), searched in the compact array of entry offsets.
  const uint32_t off_pc = uint32_t(pc - buf_.base());
  const size_t page = off_pc >> 12, pages = code_page_first_.size();
  if (code_entry_off_.empty()) return false;
  size_t index;
  if (pc >= buf_.cold_base()) {  // a block's cold code (only a budget check faults there)
    auto after = std::upper_bound(code_cold_off_.begin(), code_cold_off_.end(), off_pc);
    if (after == code_cold_off_.begin()) return false;
    index = size_t(after - code_cold_off_.begin()) - 1;
  } else {
    const uint32_t first_here = code_page_first_[std::min(page, pages - 1)];  // (past the last: the newest
    const uint32_t lo = first_here ? first_here - 1 : 0;                       // blocks may run on into it)
    const uint32_t hi = page + 1 < pages ? code_page_first_[page + 1] : uint32_t(code_entry_off_.size());
    auto after = std::upper_bound(code_entry_off_.begin() + lo, code_entry_off_.begin() + std::max(lo, hi), off_pc);
    if (after == code_entry_off_.begin()) return false;
    index = size_t(after - code_entry_off_.begin()) - 1;
  }
  const TranslatedCode& tc = *code_order_[index];
  if (budget_check) {  // a block's entry found the budget spent: its budget exit
    *resume = tc.code + (pc < tc.entry ? tc.budget_exit_spilled : tc.budget_exit);
    for (const TranslatedCode::FaultSite& s : tc.budget_sites)
      if (tc.code + s.access == pc) *resume = tc.code + s.slow_path;
    return true;
  }
  const uint32_t off = uint32_t(pc - tc.code);
  auto site = std::lower_bound(tc.fault_sites.begin(), tc.fault_sites.end(), off,
                               [](const TranslatedCode::FaultSite& f, uint32_t o) { return f.access < o; });
  if (site == tc.fault_sites.end() || site->access != off) return false;  // not a guest access
  if (!views_->handle_fault(addr, write)) {
    *resume = tc.code + site->slow_path;
    if (site->unsettled && uint32_t(regs[REG_R9]) == 1) {
      // The parked flags (LAHF byte, OF byte: block_translator.cpp) into the context's EFLAGS,
      // where the slow path takes them.
      const uint64_t spill = cpu_.s.jit_flags_spill;
      const uint32_t arith = uint32_t((spill >> 8) & (fl::SF | fl::ZF | fl::AF | fl::PF | fl::CF)) | ((spill & 0xFF) ? fl::OF : 0u);
      regs[REG_EFL] = (regs[REG_EFL] & ~(long long)fl::ARITH) | arith;
    }
  }
  return true;
}

// Blocks in code order (handle_host_fault): code_page_first_[p] is the index of the first block
// starting in 4 KiB page p of the buffer or later (filled up to the newest block's page).
void Translator::note_code_order(const std::shared_ptr<TranslatedCode>& tc) {
  const uint32_t off = uint32_t(tc->code - buf_.base());
  const uint32_t index = uint32_t(code_order_.size());
  while (code_page_first_.size() <= (off >> 12)) code_page_first_.push_back(index);
  code_order_.push_back(tc);
  code_entry_off_.push_back(off);
  code_cold_off_.push_back(uint32_t(tc->cold - buf_.base()));
}

// The lookup routine's exec-TLB refill (see RefillFn): the lookup then leaves if the fetch
// would fault, and the run loop's own fetch raises the #PF.
bool Translator::refill_exec(uint32_t eip) {
  uint32_t phys;
  if (!fetchable(eip, &phys)) return false;
  ++js_.exec_refills;
  return cpu_.mmu.exec_tlb_holds(eip);
}

void Translator::flush_code() {
  code_order_.clear();
  code_entry_off_.clear();
  code_cold_off_.clear();
  code_page_first_.clear();
  one_off_.clear();
  cache_.drop_all();
  buf_.reset_to(rt_.bytes);
  flush_lookup_table();
  clear_ras();  // (its slots were in the data area)
  ++js_.buffer_flushes;
}

void Translator::clear_ras() {
  for (unsigned k = 0; k < jit::kRasEntries; ++k) ras_[k] = &ras_empty_;
}

Block* Translator::lookup_translated(uint32_t* flushed, bool* cold, std::optional<GuestFault>* fault) {
  CpuState& s = cpu_.s;
  const uint32_t lin = s.seg[CS].base + s.eip;
  uint32_t phys, pf_error;
  const uint8_t* host;
  // (A fetch #PF — every first run of a code page a new process has not faulted in — is common
  // here: raised without a C++ throw and unwind.)
  if (!cpu_.mmu.try_fetch_ptr(lin, &phys, &host, &pf_error)) {
    *fault = GuestFault{vec::PF, int32_t(pf_error)};
    return nullptr;
  }
  const BlockKey key{phys, s.eip, s.seg[CS].base, s.seg[CS].limit, block_mode_of(s)};
  ++st_.lookups;
  if (Block* b = cache_.find(key)) {
    if (!b->straddles() || second_page_bytes(*b, lin)) {
      remember_for_lookup(*b);
      return b;
    }
    // A straddler whose second page maps elsewhere now: translated again for this mapping, or
    // if that page cannot be fetched, run by the interpreter (which raises the fault).
    uint32_t phys2;
    if (!fetchable(lin + 0x1000 - (lin & 0xFFF), &phys2)) return nullptr;
    cache_.drop(b);
  }
  if (!host) return nullptr;  // code in MMIO: the interpreter runs it uncached
  const uint64_t one_off_key = one_off_key_of(key);
  if (one_off_.count(one_off_key)) return nullptr;  // known to start with an instruction across pages
  if (opt_.hot_after) {
    uint8_t& h = heat_of(key);
    if (h < opt_.hot_after) {
      ++h;
      *cold = true;
      return nullptr;
    }
  }
  auto b = std::make_unique<Block>();
  b->key = key;
  const uint64_t t0 = host_ns();  // (translation time includes decoding)
  if (!build_block(cpu_, decoder(), lin, host - (lin & 0xFFF), *b, opt_.max_block_insns, raw_.get(), true)) {
    one_off_.insert(one_off_key);  // (the interpreter runs it; no need to decode it here again)
    return nullptr;
  }
  if (cpu_.trace.in_asm) trace_block_asm(cpu_, *b, lin);
  TranslationCounts counts;
  uint8_t joined[16];  // a straddler's bytes from both pages
  if (b->straddles()) {
    const uint8_t* host2 = second_page_bytes(*b, lin);
    if (!host2) {
      one_off_.insert(one_off_key);
      return nullptr;
    }
    const uint32_t first = b->bytes_on_first_page();
    std::memcpy(joined, host, first);
    std::memcpy(joined + first, host2, b->bytes - first);
    host = joined;
  }
  note_pc_thunk(*b);
  auto tc = translate_block(*b, raw_.get(), host, buf_, rt_, &counts);
  if (!tc && counts.no_room) {
    flush_code();
    *flushed = 1;
    tc = translate_block(*b, raw_.get(), host, buf_, rt_, &counts);
  }
  if (!tc) {  // cannot be emitted: the interpreter runs it, now and later
    one_off_.insert(one_off_key);
    return nullptr;
  }
  Block* raw = install(std::move(b), std::move(tc), counts, t0);
  remember_for_lookup(*raw);
  if (!raw->straddles()) lay_out_successors(*raw, host - (lin & 0xFFF));  // (host: on the code page)
  return raw;
}

// A translated block into the cache, counted (and traced, and named for perf).
Block* Translator::install(std::unique_ptr<Block> b, std::shared_ptr<TranslatedCode> tc, const TranslationCounts& counts,
                           uint64_t t0) {
  js_.translate_ns += host_ns() - t0;
  ++js_.blocks_translated;
  ++st_.blocks_made;
  js_.code_bytes += tc->size;
  js_.cold_code_bytes += tc->cold_size;
  js_.guest_insns_translated += b->insns.size();
  js_.inline_insns += counts.inline_insns;
  js_.callout_insns += counts.callout_insns;
  b->host = std::move(tc);
  note_code_order(b->host);
  if (cpu_.trace.out_asm) {
    std::fprintf(cpu_.trace.out, "OUT: %08x (%u bytes)\n", b->key.eip, b->host->size);
    disassemble_host(b->host->code, b->host->size, cpu_.trace.out);
    std::fprintf(cpu_.trace.out, "OUT: %08x cold (%u bytes)\n", b->key.eip, b->host->cold_size);
    disassemble_host(b->host->cold, b->host->cold_size, cpu_.trace.out);
    std::fputc('\n', cpu_.trace.out);
  }
  if (perf_map_) note_perf_map(*b, *b->host);
  Block* raw = b.get();
  cache_.insert(std::move(b), [&](uint32_t paddr) { cpu_.mmu.code_page_added(paddr); });
  if (raw->straddles()) ++js_.straddlers;
  if (raw->thunk_reg != Block::kNoThunk) ++js_.thunks_inlined;
  return raw;
}

// Traces in their simplest form: a block whose hot code ends with a same-page chainable exit
// (a Jcc's fall-through, a direct JMP or CALL, a block cut at its size cap) gets that exit's
// target translated right behind it — if the interpreter ran it often enough
// (Options::hot_after / 2) and it is not translated yet — starting with the entry the exit takes,
// and linked at once: the exit's five-byte jump becomes a NOP (Translator::patch), so the path
// runs on without a jump, and on through up to kLayoutDepth blocks. `page`: the host bytes of
// b's code page (its successors are on the same page).
void Translator::lay_out_successors(const Block& first, const uint8_t* page) {
  const Block* b = &first;
  for (unsigned depth = 0; depth < kLayoutDepth && opt_.hot_after; ++depth) {
    const TranslatedCode& h = *b->host;
    int slot = -1;
    for (int s = 0; s < 2; ++s)
      if (h.stub[s] && h.stub[s] + 5 == h.code + h.size) slot = s;
    if (slot < 0) return;
    const uint32_t eip = b->targets[slot];
    const uint32_t lin = b->key.cs_base + eip;
    if (((lin ^ b->key.lin()) & ~0xFFFu) != 0) return;
    const BlockKey key{(b->key.phys & ~0xFFFu) | (lin & 0xFFFu), eip, b->key.cs_base, b->key.cs_limit, b->key.mode};
    if (cache_.find(key)) return;
    if (one_off_.count(one_off_key_of(key)) || heat_of(key) < opt_.hot_after / 2) return;
    auto next = std::make_unique<Block>();
    next->key = key;
    const uint64_t t0 = host_ns();
    // (Decoding raises the fault an undecodable first instruction would: that belongs to the
    // successor's own run, not to this lookup, so it is only a reason to stop here.)
    bool built = false;
    try {
      built = build_block(cpu_, decoder(), lin, page, *next, opt_.max_block_insns, raw_.get(), true);
    } catch (const GuestFault&) {
      built = false;
    }
    if (!built || next->straddles()) return;
    note_pc_thunk(*next);
    TranslationCounts counts;
    auto tc = translate_block(*next, raw_.get(), page + (lin & 0xFFFu), buf_, rt_, &counts,
                              h.stub_spilled[slot] ? EntryOrder::SpilledFirst : EntryOrder::InHostFirst);
    if (!tc) return;  // (no room: the next lookup flushes)
    Block* t = install(std::move(next), std::move(tc), counts, t0);
    Block& from = const_cast<Block&>(*b);
    cache_.link(&from, t, eip, uint8_t(slot));
    patch(from, uint8_t(slot), t);
    ++js_.laid_out;
    b = t;
  }
}

// i386 position-independent code gets its own address by calling a PC thunk, `mov r32, [esp];
// ret` (__x86.get_pc_thunk.bx and the like), at nearly every function entry: a CALL, a RET
// through the return-address stack and two block entries for two instructions. A block ending
// in a direct CALL to one is marked for the emitter to run the thunk inline
// (Emitter::emit_inlined_thunk). Its bytes are read only if the exec TLB holds its page already
// (no page walk, nothing in the guest changes) and become the block's extra bytes, so a write to
// them drops the block; the code checks that the page still maps there when it runs.
void Translator::note_pc_thunk(Block& b) {
  constexpr uint32_t kFlat32 = block_mode::CODE32 | block_mode::STACK32 | block_mode::FLAT;
  const Insn& call = b.insns.back();
  if (b.straddles() || call.term != Terminal::Jump || call.mnemonic != ZYDIS_MNEMONIC_CALL ||
      (b.key.mode & kFlat32) != kFlat32 || (b.key.mode & block_mode::VM86))
    return;
  const uint32_t lin = b.key.cs_base + b.targets[0];
  uint32_t phys;
  const uint8_t* p;
  if ((lin & 0xFFF) > 0xFFC || !cpu_.mmu.exec_tlb_holds(lin) || !(p = fetchable(lin, &phys))) return;
  const unsigned reg = (p[1] >> 3) & 7;  // 8B /r, ModRM 00 reg 100, SIB 24: mov r32, [esp]; C3: ret
  if (p[0] != 0x8B || (p[1] & 0xC7) != 0x04 || p[2] != 0x24 || p[3] != 0xC3 || reg == 4) return;
  b.thunk_reg = uint8_t(reg);
  b.extra_phys = phys;
  b.extra_len = 4;
}

// A straddler's second page as the current page tables map it for a fetch (refilling the exec
// TLB entry its code checks), if that is still the frame it was translated from; null if not, or
// if the fetch would fault (nothing raised: the interpreter runs the instruction and faults).
const uint8_t* Translator::second_page_bytes(const Block& b, uint32_t lin) {
  uint32_t phys2;
  const uint8_t* host2 = fetchable((lin & ~0xFFFu) + 0x1000, &phys2);
  return host2 && (phys2 & ~0xFFFu) == b.extra_phys ? host2 : nullptr;
}

// The host address of RAM at linear `lin` (its physical address in *phys) if an instruction
// fetch there would not fault; the exec TLB refilled, and nothing raised: a fetch that would
// fault leaves CR2 as it was (the guest sees CR2 change only with the #PF that goes with it).
const uint8_t* Translator::fetchable(uint32_t lin, uint32_t* phys) {
  const uint32_t cr2 = cpu_.s.cr2;
  uint32_t pf_error;
  const uint8_t* host;
  if (!cpu_.mmu.try_fetch_ptr(lin, phys, &host, &pf_error)) {
    cpu_.s.cr2 = cr2;
    return nullptr;
  }
  return host;
}

// The indirect table learns every block entered from C++.
void Translator::remember_for_lookup(const Block& b) {
  // Two ways: the entry already there for this tag, else the newest goes first and the older one
  // moves to the second way.
  jit::LookupEntry* set = &table_[jit::lookup_index(b.key.eip)];
  const uint64_t tag = b.key.eip | uint64_t(b.key.mode) << 32;
  jit::LookupEntry* e = &set[0];
  if (set[1].tag == tag) e = &set[1];
  else if (set[0].tag != tag) set[1] = set[0];
  e->tag = tag;
  e->code = b.host->entry_spilled;  // (the lookup routine has parked the flags)
  e->phys_page = b.key.phys & ~0xFFFu;
  ++js_.lookup_fills;
}

namespace {
void put_rel32_at(uint8_t* rel, const uint8_t* target) {  // rel32 ending at rel + 4
  const int32_t r32 = int32_t(target - (rel + 4));
  std::memcpy(rel, &r32, 4);
}
}  // namespace

void Translator::patch(Block& from, uint8_t slot, const Block* to) {
  uint8_t* at = from.host->stub[slot];
  const uint8_t* target = from.host->stub_spilled[slot] ? to->host->entry_spilled : to->host->entry;
  // Laid out right behind (lay_out_successors): the stub ends `from`'s hot code and the target
  // entry starts `to`'s, the NOP padding to the 16-byte boundary in between: falls through.
  const uint8_t* end = from.host->code + from.host->size;
  if (at + 5 == end && target == to->host->code && !(slot == 0 && from.host->jcc_rel) &&
      to->host->code == reinterpret_cast<const uint8_t*>((uintptr_t(end) + 15) & ~uintptr_t(15))) {
    static const uint8_t nop5[5] = {0x0F, 0x1F, 0x44, 0x00, 0x00};
    std::memcpy(at, nop5, 5);
    return;
  }
  at[0] = 0xE9;
  put_rel32_at(at + 1, target);
  if (slot == 0 && from.host->jcc_rel) put_rel32_at(from.host->jcc_rel, target);
}

void Translator::unpatch(Block& from, uint8_t slot) {
  if (!from.host || !from.host->stub[slot]) return;
  std::memcpy(from.host->stub[slot], from.host->stub_bytes[slot], 5);
  if (slot == 0 && from.host->jcc_rel) put_rel32_at(from.host->jcc_rel, from.host->stub[0]);
}

void Translator::note_perf_map(const Block& b, const TranslatedCode& tc) {
  std::fprintf(perf_map_, "%lx %x bt86:%08x_%ui\n", (unsigned long)(uintptr_t)tc.code, tc.size, b.key.eip,
               unsigned(b.insns.size()));
  if (tc.cold_size)
    std::fprintf(perf_map_, "%lx %x bt86:%08x_cold\n", (unsigned long)(uintptr_t)tc.cold, tc.cold_size, b.key.eip);
  std::fflush(perf_map_);
}

void Translator::describe_block(const Block& b, FILE* out) const {
  if (!b.host) return;
  std::fprintf(out, "-- its host code (%u bytes at %p):\n", b.host->size, static_cast<const void*>(b.host->code));
  disassemble_host(b.host->code, b.host->size, out);
}

uint32_t Translator::callout(const CalloutSite& site, int64_t budget_left) {
  CpuState& s = cpu_.s;
  s.icount = ctx_.limit - uint64_t(budget_left) - site.left;
  s.eip = site.eip;
  ++js_.callouts[size_t(site.kind)];
  if (site.kind == CalloutKind::X87State && !(s.cr0 & (cr0::EM | cr0::TS)) && x87_can_reside(s.fpu)) {
    x87_load_resident(s.fpu);  // the native instruction runs next (see emit_x87)
    s.jit_x87_resident = 1;
    ++js_.x87_loads;
    return 1;
  }
  // (X87State otherwise: #NM, a pending #MF or unmasked exceptions — the interpreter's handler.)
  if (site.first_access) {  // the walk the instruction's first access would do: a #PF raised here
    uint32_t paddr, pf_error;
    const AccessType type = site.first_access == 2 ? AccessType::Write : AccessType::Read;
    if (!cpu_.mmu.try_translate(s.jit_slow_lin, type, cpu_.mmu.user_access(), &paddr, &pf_error)) {
      s.fault_vector = vec::PF;
      s.fault_error = int32_t(pf_error);
      s.attention |= attn::FAULT;
      ++js_.faults_raised_early;
      if (views_ && s.cpl == 3) {  // (for the IRET that returns to retry it, below)
        prefault_pending_ = true;
        prefault_lin_ = s.jit_slow_lin;
      }
      return leave_or_deliver(budget_left);
    }
  }
  const Insn& insn = *site.insn;
  if (site.kind != CalloutKind::MemorySlowPath) ++js_.callouts_by_mnemonic[insn.mnemonic];
  // (Page-table tracing: did this slow path's store reach a traced page table? adapt())
  const bool watch = site.kind == CalloutKind::MemorySlowPath && views_ && views_->tracing();
  const uint64_t pt_writes = watch ? views_->stats().pt_writes : 0;
  const bool ok = run_guarded(s, [&] {
    cpu_.next_eip = s.eip + insn.len;
    insn.fn(cpu_, insn);
    s.eip = cpu_.next_eip;
    ++s.icount;
  });
  if (ok && watch && views_->stats().pt_writes != pt_writes) adapt(site);
  // The IRET back to user code after a user access's #PF: the page its handler made present
  // goes into the user view now, before the retried access would fault on it (prefault_user).
  if (ok && prefault_pending_ && s.cpl == 3 && insn.mnemonic == ZYDIS_MNEMONIC_IRETD) {
    prefault_pending_ = false;
    views_->prefault_user(prefault_lin_);
  }
  bool go_on = ok && !site.ends_block && !s.attention;
  // POPF/STI with no interrupt waiting and the mode as it was: what the run loop would do next is
  // nothing — STI's shadow (attn::IRQ_SHADOW) only holds back an interrupt waiting right after
  // it, and POPF's attn::MODE only asks for a new lookup — so translated code goes on. Not when
  // the budget ends here: the run loop (and a lockstep comparison) then sees the state as the
  // interpreter leaves it after the instruction, shadow included.
  if (ok && site.may_go_on && budget_left > 0 && !(s.attention & ~(attn::MODE | attn::IRQ_SHADOW)) &&
      block_mode_of(s) == site.mode && !(s.eflags & (fl::TF | fl::RF)) &&
      !((s.eflags & fl::IF) && cpu_.intc && cpu_.intc->intr_pending())) {
    s.attention &= ~(attn::MODE | attn::IRQ_SHADOW);
    go_on = true;
  }
  if (!go_on && ok && site.ends_block && switch_in_place(budget_left)) {
    ++js_.switches;
    if (site.kind != CalloutKind::MemorySlowPath) ++js_.switch_by_mnemonic[insn.mnemonic];
    return jit::kCalloutSwitch;
  }
  if (!go_on && site.kind != CalloutKind::MemorySlowPath) ++js_.leaving_by_mnemonic[insn.mnemonic];
  return go_on ? jit::kCalloutGoOn : leave_or_deliver(budget_left);
}

// A callout that leaves translated code: when all it left behind is a guest exception, the
// exception is delivered here and translated code goes on at its handler (switch_in_place, which
// also takes the budget back for the instructions the block did not run), as the run loop would
// after leaving. Not when the budget is spent (lockstep's one-block runs).
uint32_t Translator::leave_or_deliver(int64_t budget_left) {
  CpuState& s = cpu_.s;
  if (s.attention != attn::FAULT || budget_left <= 0) return jit::kCalloutLeave;
  cpu_.deliver_pending_fault();
  if (!switch_in_place(budget_left)) return jit::kCalloutLeave;
  ++js_.faults_in_place;
  return jit::kCalloutSwitch;
}

// A memory slow path whose store went to a traced page table (the host fault on its read-only
// view page first): after kAdaptAfter of them the instruction is retranslated as a callout
// (CalloutKind::Adapted), which reaches the same store without the host fault. Its blocks are
// dropped now (as a store into them would: attn::SMC leaves the running one after this
// instruction); the hint is by linear EIP, where the guest kernel's code stays.
void Translator::adapt(const CalloutSite& site) {
  if (++pt_write_sites_[site.eip] != kAdaptAfter) return;
  adapted_.insert(site.eip);
  ++js_.adapted;
  uint32_t paddr, pf_error;
  if (cpu_.mmu.try_translate(site.eip, AccessType::Exec, cpu_.mmu.user_access(), &paddr, &pf_error) &&
      cache_.code_written(paddr, site.insn->len))
    cpu_.s.attention |= attn::SMC;
}

// The run loop, after a block, acts on attention bits, faults, debug and tracing, modes it does
// not translate, interrupts and garbage, and otherwise looks the next block up. When none of
// those applies (the mode change itself is only attn::MODE, which asks for a new lookup), the
// lookup routine can do the looking up from translated code: a hit enters the block, a miss
// leaves with EIP stored. Not when the budget is spent (budget_left counts past this block's
// instructions; one-block runs, lockstep's, always have none left).
bool Translator::switch_in_place(int64_t budget_left) {
  CpuState& s = cpu_.s;
  if (budget_left <= 0 || (s.attention & ~attn::MODE) || (s.eflags & fl::TF) ||
      cpu_.debug_active() || cpu_.trace.cpu || cpu_.trace.exec || cache_.has_garbage() ||
      ((s.eflags & fl::IF) && cpu_.intc && cpu_.intc->intr_pending()))
    return false;
  const uint32_t mode = block_mode_of(s);
  if (!translatable(mode)) return false;
  s.attention &= ~attn::MODE;
  // RF (an IRET back to a faulting instruction: the frame holds RF = 1) matters only to
  // instruction breakpoints, and there are none: cleared as the run loop clears it when it enters
  // the next block.
  s.eflags &= ~fl::RF;
  const bool user = s.cpl == 3;
  ctx_.next_base = uint64_t(memory_base(user));
  ctx_.next_mode_tag = uint64_t(mode) << 32;
  ctx_.next_lookup = rt_.lookup[user ? 1 : 0];
  return true;
}

uint64_t Translator::run_loop(uint64_t budget, bool one_block) {
  CpuState& s = cpu_.s;
  install_segv_handler();
  s.attention &= ~attn::STOP;
  const uint64_t start = s.icount;
  const uint64_t limit = start + budget;
  Block* prev = nullptr;  // the block whose chainable exit led here (may be linked to the next)
  uint8_t prev_slot = 0;
  while (!(s.attention & (attn::STOP | attn::SHUTDOWN)) && s.icount < limit) {
    if (cache_.has_garbage()) {
      cache_.collect_garbage();
      prev = nullptr;
    }
    if (s.attention & attn::FAULT) {
      prev = nullptr;
      cpu_.deliver_pending_fault();
      if (one_block && s.icount != start) break;
      continue;
    }
    if (s.attention & attn::HALT) {
      if ((s.eflags & fl::IF) && cpu_.check_interrupts()) continue;
      break;
    }
    // What translated code does not run goes to the interpreter before any interrupt check here:
    // its run_block takes waiting interrupts itself (checking twice would skip an STI shadow).
    // RF alone (every fault's return: the frame holds RF = 1) matters only to instruction
    // breakpoints; without any it is cleared as the block's first instruction starts (below).
    const bool debug = (s.eflags & fl::TF) || cpu_.debug_active() || cpu_.trace.cpu || cpu_.trace.exec;
    if (debug || !translatable(block_mode_of(cpu_.s))) {
      run_interpreter(limit, debug ? DeclineReason::Debug : DeclineReason::Mode);
      prev = nullptr;
      if (one_block) break;
      continue;
    }
    if ((s.attention & attn::IRQ_SHADOW || s.eflags & fl::IF) && cpu_.check_interrupts()) {
      prev = nullptr;
      continue;
    }
    if (s.attention & attn::HALT) break;
    if (s.attention & attn::STEP) {  // one instruction after an interrupt shadow, then the interrupt
      run_interpreter(limit, DeclineReason::Debug, true);
      prev = nullptr;
      if (one_block) break;
      continue;
    }
    if (s.attention & (attn::MODE | attn::SMC)) prev = nullptr;
    s.attention &= ~attn::TRANSIENT;
    Block* b = nullptr;
    uint32_t flushed = 0;
    bool cold = false;
    std::optional<GuestFault> fault;
    try {
      b = lookup_translated(&flushed, &cold, &fault);
    } catch (const GuestFault& f) {
      fault = f;
    }
    if (fault) {
      prev = nullptr;
      cpu_.deliver_fault(*fault);
      if (one_block && s.icount != start) break;
      continue;
    }
    if (flushed) prev = nullptr;
    if (!b) {
      run_interpreter(limit, cold ? DeclineReason::Cold : DeclineReason::OneOff);
      prev = nullptr;
      if (one_block) break;
      continue;
    }
    if (limit - s.icount < b->insns.size()) {
      run_interpreter(limit, DeclineReason::Budget);
      prev = nullptr;
      if (one_block) break;
      continue;
    }
    if (prev && prev->valid && prev->host->stub[prev_slot] && prev->key.mode == b->key.mode &&
        ((prev->key.lin() ^ b->key.lin()) & ~0xFFFu) == 0) {
      cache_.link(prev, b, s.eip, prev_slot);
      patch(*prev, prev_slot, b);
      ++js_.chained_exits;
    } else if (prev) {
      ++js_.unchained_exits;
    }
    ctx_.limit = std::min(one_block ? s.icount + b->insns.size() : limit, s.icount + BudgetArea::kSpan - 1);
    // (RF: the first instruction completes, or faults and its delivery pushes RF = 1 again; no
    // interrupt comes in between.)
    s.eflags &= ~fl::RF;
    const uint64_t before = s.icount;
    ++js_.entries;
    ++st_.block_execs;
    rt_.enter(b->host->entry, memory_base(s.cpl == 3));
    js_.insns_in_translated += s.icount - before;
    last_ = b;
    ++js_.exits[ctx_.exit_reason];
    prev = ctx_.exit_block;
    prev_slot = uint8_t(ctx_.exit_slot);
    if (!prev) ++js_.unchained_exits;
    if (s.attention & attn::FAULT) {
      prev = nullptr;
      cpu_.deliver_pending_fault();
      if (one_block && s.icount != start) break;
      continue;
    }
    if (one_block) break;
  }
  cpu_.sync_fpu();  // the machine, lockstep's peer and the monitor see s.fpu
  return s.icount - start;
}

std::string Translator::describe_stats() const {
  const TranslatorStats& j = js_;
  const uint64_t total = j.insns_in_translated + j.insns_in_interpreter;
  std::string out;
  char line[160];
  auto add = [&](const char* name, uint64_t v) {
    std::snprintf(line, sizeof line, "  %-34s %llu\n", name, (unsigned long long)v);
    out += line;
  };
  add("translated blocks", j.blocks_translated);
  add("  straddlers (across a page end)", j.straddlers);
  add("  with a PC thunk inlined", j.thunks_inlined);
  add("translated guest instructions", j.guest_insns_translated);
  add("  emitted inline", j.inline_insns);
  add("  emitted as callouts", j.callout_insns);
  add("host code bytes", j.code_bytes);
  add("  cold (code_buffer.h)", j.cold_code_bytes);
  std::snprintf(line, sizeof line, "  %-34s %.3f\n", "translation seconds", double(j.translate_ns) / 1e9);
  out += line;
  std::snprintf(line, sizeof line, "  %-34s %llu (%.2f%%)\n", "instructions run translated",
                (unsigned long long)j.insns_in_translated, total ? 100.0 * double(j.insns_in_translated) / double(total) : 0.0);
  out += line;
  add("instructions run interpreted", j.insns_in_interpreter);
  add("entries from C++", j.entries);
  add("exits: callout (fault/attention/end)", j.exits[jit::kExitCallout]);
  add("exits: chainable stub", j.exits[jit::kExitLink]);
  add("exits: lookup miss", j.exits[jit::kExitLookupMiss]);
  add("exits: budget", j.exits[jit::kExitBudget]);
  add("exits: straddler's page 2 unmapped", j.exits[jit::kExitPage2]);
  add("exits chained (then linked)", j.chained_exits);
  add("blocks laid out behind their predecessor", j.laid_out);
  add("exits not chained", j.unchained_exits);
  add("indirect table fills", j.lookup_fills);
  add("indirect table flushes", j.lookup_flushes);
  add("code buffer flushes", j.buffer_flushes);
  add("x87 state loads", j.x87_loads);
  add("page faults raised before the instruction", j.faults_raised_early);
  add("exceptions delivered without leaving", j.faults_in_place);
  add("callouts going on elsewhere (no exit)", j.switches);
  add("exec TLB refills by the lookup", j.exec_refills);
  add("blocks invalidated", cache_.invalidations());
  if (views_) {
    const LinearViewStats& v = views_->stats();
    add("linear views: host faults", v.faults);
    add("linear views:   in user views", v.user_faults);
    add("linear views: pages mapped", v.pages_mapped);
    add("linear views: pages mapped in user views (either way)", v.user_pages_mapped);
    add("linear views:   of those, ahead at a #PF's IRET", v.prefaults);
    add("linear views: faults to slow path", v.to_slow_path);
    add("linear views: full flushes", v.flushes);
    add("linear views: CR3 loads", v.cr3_loads);
    add("linear views: user views (address spaces)", views_->user_views());
    add("linear views: CR3 loads finding their view", v.user_view_hits);
    add("linear views: pages kept on return", v.pages_kept);
    add("linear views: kernel non-global pages kept", v.kernel_pages_kept);
    add("linear views: pages mapped again (parked)", v.pages_unparked);
    add("linear views: parked pages dropped", v.parked_dropped);
    add("linear views: pages dropped on return", v.pages_dropped);
    add("linear views: pages made read-only on return", v.pages_read_only);
    add("linear views: pages given write access in place", v.pages_reprotected);
    add("linear views: INVLPG flushes", v.page_flushes);
    add("linear views: evictions", v.evictions);
    add("linear views: code write-protects", v.write_protects);
    if (views_->tracing()) {
      add("page-table tracing: frames traced", v.pt_frames_traced);
      add("page-table tracing: guest writes to them", v.pt_writes);
      add("page-table tracing: user pages dropped by them", v.pt_pages_dropped);
      add("page-table tracing: returns without revalidation", v.revalidations_skipped);
      add("page-table tracing: instructions retranslated as callouts", j.adapted);
    }
  } else {
    out += "  memory: inline TLB probe (linear views off" +
           (views_off_reason_.empty() ? std::string() : ": " + views_off_reason_) + ")\n";
  }
  for (size_t k = 0; k < j.callouts.size(); ++k) {
    std::snprintf(line, sizeof line, "  callouts: %-24s %llu\n", callout_kind_name(CalloutKind(k)),
                  (unsigned long long)j.callouts[k]);
    out += line;
  }
  for (size_t k = 0; k < j.declined.size(); ++k) {
    std::snprintf(line, sizeof line, "  interpreted blocks: %-14s %llu\n", decline_name(DeclineReason(k)),
                  (unsigned long long)j.declined[k]);
    out += line;
  }
  // The instructions most often run as callouts (what to emit inline next), and those whose
  // callouts most often left translated code (a return to the dispatcher each).
  auto top_list = [&](const char* title, const std::vector<uint64_t>& counts) {
    std::vector<std::pair<uint64_t, unsigned>> top;
    for (unsigned m = 0; m < counts.size(); ++m)
      if (counts[m]) top.push_back({counts[m], m});
    std::sort(top.rbegin(), top.rend());
    if (top.size() > 12) top.resize(12);
    out += title;
    for (const auto& [n, m] : top) {
      std::snprintf(line, sizeof line, " %s %llu", ZydisMnemonicGetString(ZydisMnemonic(m)), (unsigned long long)n);
      out += line;
    }
    out += "\n";
  };
  top_list("  callouts by instruction:", j.callouts_by_mnemonic);
  top_list("  callouts leaving, by instruction:", j.leaving_by_mnemonic);
  top_list("  callouts going on elsewhere, by instruction:", j.switch_by_mnemonic);
  return out;
}

}  // namespace bt86
