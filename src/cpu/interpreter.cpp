// The interpreter engine: block decoding and lookup by BlockKey, linking, and the run loop that
// alternates interrupt checks with runs of linked blocks. See interpreter.h and
// docs/architecture.md.
#include "cpu/interpreter.h"

#include <cstring>
#include "cpu/block_builder.h"
#include "cpu/block_decoder.h"
#include "cpu/cpu.h"
#include "cpu/cpu_trace.h"

namespace bt86 {

namespace {
BlockDecoder& decoder() {
  static thread_local BlockDecoder d;
  return d;
}
}  // namespace

Interpreter::Interpreter(Cpu& cpu, Policy policy)
    : cpu_(cpu), policy_(policy), cache_(cpu.mmu.code_pages) {
  if (policy_.max_block_insns == 0) policy_.max_block_insns = 1;
}

Interpreter::~Interpreter() = default;

const char* Interpreter::name() const {
  return policy_.max_block_insns == 1 ? "interpreter (one instruction per block)" : "interpreter";
}

EngineStats Interpreter::stats() const {
  EngineStats s = st_;
  s.blocks_cached = cache_.count();
  s.links_made = cache_.links_made();
  s.invalidations = cache_.invalidations();
  return s;
}

bool Interpreter::decode(uint32_t lin, const uint8_t* host_page, Block& b) {
  return build_block(cpu_, decoder(), lin, host_page, b, policy_.max_block_insns);
}

Block* Interpreter::lookup() {
  CpuState& s = cpu_.s;
  if (s.eip > s.seg[CS].limit) guest_fault(vec::GP, 0);
  const uint32_t lin = s.seg[CS].base + s.eip;
  uint32_t phys;
  const uint8_t* host = cpu_.fetch_ptr(lin, &phys);
  const BlockKey key{phys, s.eip, s.seg[CS].base, s.seg[CS].limit, block_mode_of(s)};
  ++st_.lookups;
  if (Block* b = cache_.find(key)) return b;
  if (host && !straddlers_.empty()) {
    auto it = straddlers_.find(key);
    uint8_t now[15];
    if (it != straddlers_.end() && straddler_bytes(lin, host, it->second.block->bytes, now) &&
        std::memcmp(now, it->second.bytes, it->second.block->bytes) == 0) {
      ++st_.one_off_blocks;
      return it->second.block.get();
    }
  }
  auto b = std::make_unique<Block>();
  b->key = key;
  const uint8_t* page = host ? host - (lin & 0xFFF) : nullptr;
  const bool cacheable = decode(lin, page, *b);
  ++st_.blocks_made;
  if (cpu_.trace.in_asm) trace_block_asm(cpu_, *b, lin);
  if (!cacheable) {
    b->cached = false;
    ++st_.one_off_blocks;
    Straddler st;
    if (host && b->insns.size() == 1 && (lin & 0xFFF) + b->bytes > 0x1000 &&
        straddler_bytes(lin, host, b->bytes, st.bytes)) {
      if (straddlers_.size() >= 4096) straddlers_.clear();
      st.block = std::move(b);
      Block* raw = st.block.get();
      straddlers_[key] = std::move(st);
      return raw;
    }
    uncached_ = std::move(b);
    return uncached_.get();
  }
  Block* raw = b.get();
  // A page that now holds code for the first time: drop direct-write TLB entries so its stores
  // come to Cpu::note_code_write.
  cache_.insert(std::move(b), [&](uint32_t paddr) { cpu_.mmu.code_page_added(paddr); });
  return raw;
}

// The `len` bytes of an instruction at `lin` that runs into the next page (host: its first byte);
// false if the next page is not RAM. May raise the fetch's #PF, as decoding it would.
bool Interpreter::straddler_bytes(uint32_t lin, const uint8_t* host, unsigned len, uint8_t* out) {
  const unsigned first = 0x1000 - (lin & 0xFFF);
  if (len > 15 || first >= len) return false;
  uint32_t next_phys;
  const uint8_t* next = cpu_.fetch_ptr((lin & ~0xFFFu) + 0x1000, &next_phys);
  if (!next) return false;
  std::memcpy(out, host, first);
  std::memcpy(out + first, next, len - first);
  return true;
}

Block* Interpreter::next_block(Block* prev) {
  const uint32_t eip = cpu_.s.eip;
  if (prev) {
    if (Block* n = prev->follow(eip)) return n;
  }
  Block* b = lookup();
  // Link only within one linear page (the successor's physical page is then the one prev was
  // found on, whatever the page tables do later) and between blocks of the same mode.
  if (prev && prev->valid && b->cached && b->key.mode == prev->key.mode &&
      b->key.cs_base == prev->key.cs_base && ((b->key.lin() ^ prev->key.lin()) & ~0xFFFu) == 0)
    cache_.link(prev, b, eip);
  return b;
}

// Runs b's instructions, no further than instruction count `limit`.
inline void Interpreter::execute(Block& b, uint64_t limit) {
  ++st_.block_execs;
  const Insn* begin = b.insns.data();
  const Insn* end = begin + b.insns.size();
  // Blocks hold at most max_block_insns, so only a budget closer than that can cut one short.
  const uint64_t room = limit - cpu_.s.icount;
  if (__builtin_expect(room < policy_.max_block_insns, 0) && begin + room < end) end = begin + room;
  cpu_.run_insns(begin, end);
}

void Interpreter::step_after_shadow() {
  cpu_.s.attention &= ~attn::STEP;
  try {
    Block* b = next_block(nullptr);
    last_ = b;
    ++st_.block_execs;
    cpu_.run_insns(&b->insns.front(), &b->insns.front() + 1);
  } catch (const GuestFault& f) {
    cpu_.deliver_fault(f);
  }
}

uint64_t Interpreter::run_loop(uint64_t budget, bool one_block) {
  CpuState& s = cpu_.s;
  s.attention &= ~attn::STOP;
  const uint64_t start = s.icount;
  const uint64_t limit = start + budget;
  const bool tracing = cpu_.trace.cpu || cpu_.trace.exec;
  Block* prev = nullptr;  // the block that ran last, if its successor may be linked to it
  while (!(s.attention & (attn::STOP | attn::SHUTDOWN)) && s.icount < limit) {
    if (cache_.has_garbage()) {
      cache_.collect_garbage();
      prev = nullptr;
    }
    if (s.attention & attn::FAULT) {
      prev = nullptr;
      cpu_.deliver_pending_fault();
      continue;
    }
    if ((s.attention & attn::IRQ_SHADOW || s.eflags & fl::IF) && cpu_.check_interrupts()) {
      prev = nullptr;
      continue;
    }
    if (s.attention & attn::HALT) break;
    if (s.attention & (attn::MODE | attn::SMC)) prev = nullptr;
    s.attention &= ~attn::TRANSIENT;
    try {
      Block* b = next_block(prev);
      last_ = b;
      prev = nullptr;
      if (__builtin_expect(tracing, 0)) trace_block_state(cpu_, *b);
      const bool debug = (s.eflags & (fl::TF | fl::RF)) || cpu_.debug_active();
      if (__builtin_expect((s.attention & attn::STEP) && !debug, 0)) {
        // The end of an interrupt shadow with an interrupt waiting: one instruction, then take it.
        s.attention &= ~attn::STEP;
        ++st_.block_execs;
        cpu_.run_insns(&b->insns.front(), &b->insns.front() + 1);
        if (one_block) break;
        continue;
      }
      // Single-step, RF, breakpoints or a pending debug trap: one instruction at a time (this
      // also serves a one-instruction step after an interrupt shadow).
      if (__builtin_expect(debug, 0)) {
        s.attention &= ~attn::STEP;
        ++st_.block_execs;
        cpu_.debug_step(b->insns.front());
        if (one_block) break;
        continue;
      }
      // Run linked blocks back to back until something needs the loop above: an attention bit
      // (an interrupt controller raising INTR sets attn::IRQ_WINDOW; whatever sets IF ends the
      // block), the budget, a successor not linked yet, or tracing.
      for (;;) {
        execute(*b, limit);
        last_ = b;
        if (!b->cached) break;
        prev = b;
        if (s.attention || s.icount >= limit || tracing || one_block) break;
        Block* n = b->follow(s.eip);
        if (!n) break;
        b = n;
      }
      if (one_block) break;
    } catch (const GuestFault& f) {
      prev = nullptr;
      cpu_.deliver_fault(f);
      if (one_block && s.icount != start) break;
    }
  }
  return s.icount - start;  // (garbage waits for the next run: last_block() may be in it)
}

}  // namespace bt86
