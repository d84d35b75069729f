// The interpreter's execution engine: reset state, segment-register installation, the run loop
// over cached decoded blocks, external interrupt and exception delivery points, single-step.
#include "cpu/cpu.h"
#include "cpu/block_cache.h"
#include "cpu/block_decoder.h"
#include "cpu/cpu_trace.h"

namespace bt86 {

namespace {
constexpr unsigned kMaxBlockInsns = 64;
BlockDecoder& decoder() {
  static thread_local BlockDecoder d;
  return d;
}
}  // namespace

Cpu::Cpu(PhysMem& m, IoBus& i, VirtualClock& c)
    : mem(m), io(i), clock(c), blocks_(std::make_unique<BlockCache>()) {
  mem.add_map_listener([this] { flush_tlb(); }, this);
  reset();
}

Cpu::~Cpu() {
  mem.remove_listeners(this);
}

void Cpu::reset() {
  CpuState fresh;
  fresh.icount = s.icount;  // the instruction counter runs on across resets
  s = fresh;
  s.eip = 0xFFF0;
  s.r[EDX] = 0x0652;  // family 6, model 5, stepping 2 (Pentium II class), as CPUID leaf 1 EAX
  s.cr0 = cr0::ET | cr0::CD | cr0::NW;
  for (unsigned k = 0; k < 6; ++k) s.seg[k] = Segment{0, 0, 0xFFFF, kAttrDataRW};
  s.seg[CS] = Segment{0xF000, 0xFFFF0000u, 0xFFFF, kAttrCodeRX};
  s.ldtr = Segment{0, 0, 0xFFFF, 0x8200};
  s.tr = Segment{0, 0, 0xFFFF, 0x8B00};
  s.fpu.cw = 0x0040;
  s.fpu.tw = 0x5555;
  halted_ = shutdown_ = false;
  end_block_ = irq_shadow_ = step_one_ = false;
  fault_depth_ = 0;
  perf = PerfCounters{};
  db_pending_ = 0;
  debug_regs_changed();  // also flushes the TLB
}

void Cpu::set_seg(unsigned idx, const Segment& sg) {
  s.seg[idx] = sg;
  update_seg_cache(idx);
  if (idx == CS || idx == SS) end_block_ = true;  // code/stack size may have changed
  if (idx == CS) ++link_gen_;
}

void Cpu::load_seg_real(unsigned idx, uint16_t sel) {
  Segment sg = s.seg[idx];
  sg.sel = sel;
  sg.base = uint32_t(sel) << 4;
  if (s.v86()) {
    // V86 mode: every segment is a 64 KiB, present, DPL-3 read/write data segment.
    sg.limit = 0xFFFF;
    sg.attr = (idx == CS ? kAttrCodeRX : kAttrDataRW) | (3u << 13);
  }
  set_seg(idx, sg);
}

void Cpu::set_cpl(uint8_t cpl) {
  s.cpl = cpl & 3;
  update_align_check();
  perf.context_changed(*this, s.icount);  // USR/OS counting
  end_block_ = true;
  ++link_gen_;
}

// ---- blocks -------------------------------------------------------------------------------------

// Decodes the block starting at linear `lin` (physical `phys`; `host` is the host address of the
// start of its page, null for MMIO) into `b`. Returns false if the block must not be cached.
static bool decode_block(Cpu& cpu, uint32_t lin, uint32_t phys, const uint8_t* host, Block& b) {
  const bool code32 = cpu.s.code32();
  const uint32_t limit = cpu.s.seg[CS].limit;
  uint32_t eip = cpu.s.eip;
  uint32_t off = lin & 0xFFF;
  bool cacheable = host != nullptr;
  uint8_t buf[16];
  while (b.insns.size() < kMaxBlockInsns) {
    const bool first = b.insns.empty();
    size_t avail = 0x1000 - off;
    const uint8_t* bytes;
    if (host) {
      bytes = host + off;
    } else {
      unsigned n = avail < 15 ? unsigned(avail) : 15;
      for (unsigned k = 0; k < n; ++k) buf[k] = uint8_t(cpu.mem.read(phys + (off - (lin & 0xFFF)) + k, 1));
      bytes = buf;
      avail = n;
    }
    Insn insn;
    DecodeStatus st = decoder().decode(bytes, avail, code32, insn);
    if (st == DecodeStatus::NeedMoreBytes) {
      if (!first) break;  // let it start its own (uncached) block
      // The instruction crosses into the next page: gather up to 15 bytes from both pages.
      std::memcpy(buf, bytes, avail);
      uint32_t next_lin = (lin & ~0xFFFu) + 0x1000;
      uint32_t next_phys;
      const uint8_t* next = cpu.fetch_ptr(next_lin, &next_phys);
      for (size_t k = avail; k < 15; ++k)
        buf[k] = next ? next[k - avail] : uint8_t(cpu.mem.read(next_phys + uint32_t(k - avail), 1));
      st = decoder().decode(buf, 15, code32, insn);
      cacheable = false;
    }
    if (st == DecodeStatus::TooLong) {
      if (!first) break;
      guest_fault(vec::GP, 0);
    }
    if (st == DecodeStatus::Invalid || st == DecodeStatus::NeedMoreBytes) {
      if (!first) break;
      guest_fault(vec::UD);
    }
    uint32_t last = eip + insn.len - 1;
    if (last > limit || (code32 ? last < eip : last > 0xFFFF)) {
      if (!first) break;
      guest_fault(vec::GP, 0);
    }
    b.insns.push_back(insn);
    b.bytes += insn.len;
    eip += insn.len;
    off += insn.len;
    if ((insn.flags & insn_flag::EndsBlock) || off >= 0x1000 || !cacheable) break;
  }
  return cacheable;
}

Block* Cpu::current_block() {
  if (s.eip > s.seg[CS].limit) guest_fault(vec::GP, 0);
  uint32_t lin = s.seg[CS].base + s.eip;
  uint32_t phys;
  const uint8_t* host = fetch_ptr(lin, &phys);
  uint32_t mode = BlockCache::mode_key(s.code32());
  if (Block* b = blocks_->find(phys, mode)) return b;
  auto b = std::make_unique<Block>();
  b->phys = phys;
  b->mode = mode;
  const uint8_t* page = host ? host - (lin & 0xFFF) : nullptr;
  bool cacheable = decode_block(*this, lin, phys, page, *b);
  ++stats.blocks_decoded;
  if (trace.in_asm) trace_block_asm(*this, *b, lin);
  if (!cacheable) {
    b->cached = false;
    uncached_ = std::move(b);
    return uncached_.get();
  }
  Block* raw = b.get();
  if (blocks_->insert(std::move(b))) {
    // The page now holds code: drop direct-write TLB entries so its stores come to note_code_write.
    for (auto& u : tlb_)
      for (TlbEntry& e : u[1]) e = TlbEntry{};
  }
  return raw;
}

void Cpu::execute_block(Block& b) {
  const uint32_t mask = ip_mask();
  const Insn* const begin = b.insns.data();
  const Insn* const end = begin + b.insns.size();
  const Insn* i = begin;
  while (i != end) {
    next_eip = (s.eip + i->len) & mask;
    i->fn(*this, *i);
    s.eip = next_eip;
    ++s.icount;
    ++i;
    if (end_block_) break;
  }
}

// ---- run loop -------------------------------------------------------------------------------------

bool Cpu::check_interrupts() {
  const bool pending = (s.eflags & fl::IF) && intc && intc->intr_pending();
  if (irq_shadow_) {
    // The instruction after STI / MOV SS / POP SS runs first; if an interrupt is waiting, run
    // just that one instruction so the interrupt is taken right after it (sti; nop; cli opens
    // a window, as on hardware).
    irq_shadow_ = false;
    step_one_ = pending;
    return false;
  }
  if (!pending) return false;
  set_halted(false);
  uint8_t v = intc->acknowledge();
  ++stats.interrupts;
  if (trace.intr) trace_interrupt(*this, v, IntKind::External, kNoErrorCode);
  try {
    deliver(v, IntKind::External, kNoErrorCode, s.eip);
  } catch (const GuestFault& f) {
    deliver_fault(f);
  }
  return true;
}

void Cpu::deliver_fault(const GuestFault& f) {
  ++stats.exceptions;
  end_block_ = false;
  if (stop_on_exception) {
    has_last_exception = true;
    last_exception = f;
    stop_requested_ = true;
    return;
  }
  if (trace.intr) trace_interrupt(*this, f.vector, IntKind::Exception, f.error);
  try {
    deliver(f.vector, IntKind::Exception, f.error, s.eip);
  } catch (const GuestFault& again) {
    // deliver() handles #DF escalation itself; anything escaping it is unrecoverable.
    std::fprintf(stderr, "bt86: exception %u escaped delivery of exception %u: triple fault\n",
                 again.vector, f.vector);
    request_shutdown();
  }
}

// The block to run at s.eip: a chained successor of `prev` if one is recorded for this EIP and
// nothing has changed since, else a cache lookup (decoding on a miss), which is then chained.
Block* Cpu::next_block(Block* prev) {
  if (prev) {
    for (const Block::Link& l : prev->links)
      if (l.gen == link_gen_ && l.eip == s.eip) return l.to;
  }
  uint64_t gen = link_gen_;
  Block* b = current_block();
  if (prev && b->cached && gen == link_gen_) {
    prev->links[prev->next_link] = Block::Link{b, s.eip, gen};
    prev->next_link ^= 1;
  }
  return b;
}

uint64_t Cpu::run(uint64_t max_insns) {
  stop_requested_ = false;
  const uint64_t start = s.icount;
  const uint64_t limit = start + max_insns;
  const bool tracing = trace.cpu || trace.exec;
  Block* prev = nullptr;  // the block that ran last, if it may be chained from
  uint64_t prev_gen = 0;
  while (!stop_requested_ && s.icount < limit) {
    if (blocks_->has_garbage()) {
      blocks_->collect_garbage();
      prev = nullptr;
    }
    if ((irq_shadow_ || (s.eflags & fl::IF)) && check_interrupts()) {
      prev = nullptr;
      continue;
    }
    if (halted_ || shutdown_) break;
    end_block_ = false;
    try {
      Block* b = next_block(prev && prev_gen == link_gen_ ? prev : nullptr);
      prev = nullptr;
      if (__builtin_expect(tracing, 0)) trace_block_state(*this, *b);
      if (__builtin_expect(step_one_, 0)) {
        step_one_ = false;
        Block one;
        one.cached = false;
        one.insns.push_back(b->insns.front());
        ++stats.block_execs;
        execute_block(one);
        continue;
      }
      // Single-step, RF, breakpoints or a pending debug trap: one instruction at a time.
      if (__builtin_expect((s.eflags & (fl::TF | fl::RF)) | debug_active_, 0)) {
        ++stats.block_execs;
        debug_step(*b);
        continue;
      }
      // Run chained blocks back to back until something needs the outer loop: an instruction
      // that ended the block for a reason (mode change, SMC, stop()), the budget, a pending
      // interrupt, a successor not chained yet, or tracing.
      for (;;) {
        ++stats.block_execs;
        execute_block(*b);
        if (!b->cached) break;
        prev = b;
        prev_gen = link_gen_;
        if (end_block_ || s.icount >= limit || tracing) break;
        if ((s.eflags & fl::IF) && intc && intc->intr_pending()) break;
        Block* n = nullptr;
        for (const Block::Link& l : b->links)
          if (l.gen == link_gen_ && l.eip == s.eip) n = l.to;
        if (!n) break;
        b = n;
      }
    } catch (const GuestFault& f) {
      prev = nullptr;
      deliver_fault(f);
    }
  }
  return s.icount - start;
}

}  // namespace bt86
