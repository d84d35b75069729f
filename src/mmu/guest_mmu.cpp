// The guest MMU: segment checks, the software TLB, translation with #PF semantics, the slow
// paths (page crossings, MMIO, code pages, data breakpoints), multi-byte helpers and instruction
// fetch. See guest_mmu.h.
#include "mmu/guest_mmu.h"

#include "mmu/page_walk.h"

namespace bt86 {

GuestMmu::GuestMmu(CpuState& s, PhysMem& mem) : s_(s), mem_(mem) {
  mem_.add_map_listener([this] { flush_tlb(); }, this);
}

GuestMmu::~GuestMmu() { mem_.remove_listeners(this); }

void GuestMmu::note_data_access(uint32_t lin, unsigned size, bool write) {
  const uint8_t m = breakpoints->match_data(lin, size, write);
  bp_matched |= m;
  bp_hits |= m & breakpoints->data_enabled;
}

void GuestMmu::update_seg_cache(unsigned idx) {
  const Segment& sg = s_.seg[idx];
  SegCache& c = segc_[idx];
  c.base = sg.base;
  if (sg.expand_down()) {
    c.lo = sg.limit + 1;
    c.hi = sg.db() ? 0xFFFFFFFFu : 0xFFFFu;
  } else {
    c.lo = 0;
    c.hi = sg.limit;
  }
  if (!s_.protected_mode() || s_.v86()) {
    c.r = c.w = true;  // real mode and V86: no type checks, only limits
  } else if (!sg.present()) {
    c.r = c.w = false;  // null or unusable selector
  } else {
    c.r = sg.readable();
    c.w = sg.writable();
  }
  seg_fast_base[idx] = c.base;
  seg_fast_ok[idx] = c.lo == 0 && c.hi == 0xFFFFFFFFu ? (c.r ? 1u : 0u) | (c.w ? 2u : 0u) : 0u;
  for (unsigned user = 0; user < 2; ++user)
    for (unsigned w = 0; w < 2; ++w)
      seg_view[user][idx][w] = (seg_fast_ok[idx] & (1u << w)) ? view_base[user] : view_base[2];
}

void GuestMmu::seg_fault(unsigned seg) const {
  // The fast check encodes every rule exactly, so reaching here means the access faults.
  guest_fault(seg == SS ? vec::SS : vec::GP, 0);
}

// ---- TLB -----------------------------------------------------------------------------------------

void GuestMmu::flush_tlb() {
  for (auto& u : tlb_)
    for (auto& rw : u)
      for (TlbEntry& e : rw) e = TlbEntry{};
  nonglobal_slots_.clear();
  nonglobal_overflow_ = false;
  for (unsigned i = 0; i < 6; ++i) update_seg_cache(i);
  update_align_check();  // CR0 writes come through here
  ++stats.tlb_flushes;
  s_.attention |= attn::MODE;
  new_code_epochs();
  if (views) views->flush_all();
}

void GuestMmu::new_code_epochs() {
  bump_code_epochs(s_);
  for (uint32_t page : exec_pages_) exec_pages_bits_[page >> 6] = 0;
  exec_pages_.clear();
  for (unsigned user = 0; user < 2; ++user) {
    exec_nonglobal_[user] = false;
    for (const TlbEntry& e : tlb_[user][kTlbExec])
      if (!(e.tag & 0xFFFu)) note_exec_page(e.tag, user, e.phys & kTlbGlobal);
  }
}

void GuestMmu::flush_tlb_cr3() {
  // Entries of global pages (PTE.G with CR4.PGE) stay, as on the hardware.
  if (nonglobal_overflow_) {
    for (auto& u : tlb_)
      for (auto& kind : u)
        for (TlbEntry& e : kind)
          if (!(e.phys & kTlbGlobal)) e = TlbEntry{};
  } else {
    for (uint16_t slot : nonglobal_slots_) {
      TlbEntry& e = tlb_[slot >> 15][(slot >> 13) & 3][slot & (kTlbSize - 1)];
      if (!(e.phys & kTlbGlobal)) e = TlbEntry{};
    }
  }
  nonglobal_slots_.clear();
  nonglobal_overflow_ = false;
  ++stats.tlb_flushes;
  s_.attention |= attn::MODE;
  // (What the exec TLB still holds is global: the page list stays a superset of what it held.)
  for (unsigned user = 0; user < 2; ++user)
    if (exec_nonglobal_[user]) {
      bump_code_epoch(s_, user);
      exec_nonglobal_[user] = false;
    }
  if (exec_pages_.size() > 8192) new_code_epochs();  // (bounded)
  if (views) views->flush_non_global();
}

ViewTranslation GuestMmu::translate_for_view(uint32_t lin, bool write, bool user) {
  ViewTranslation t;
  if (__builtin_expect(watching(), 0) && breakpoints->watches_page(lin)) return t;
  if (!s_.paging()) {
    t.ok = true;
    t.paddr = lin & mem_.a20_mask();
    t.writable = true;
    return t;
  }
  const PageWalk w = walk_page_tables(mem_, s_.cr0, s_.cr3, s_.cr4, lin, write, user);
  if (!w.ok) return t;
  t.ok = true;
  t.paddr = w.paddr & mem_.a20_mask();
  t.writable = w.writable && w.dirty;
  t.global = w.global && (s_.cr4 & cr4::PGE);
  t.pde_addr = w.pde_addr;
  t.pte_addr = w.pte_addr;
  return t;
}

bool GuestMmu::peek_for_view(uint32_t lin, bool write, bool user, PageWalk* w) const {
  if (__builtin_expect(watching(), 0) && breakpoints->watches_page(lin)) return false;
  if (!s_.paging()) {
    w->ok = w->writable = true;
    w->global = false;
    w->paddr = lin & mem_.a20_mask();
    w->pde_addr = w->pte_addr = 0;
    return true;
  }
  if (!peek_page_tables(mem_, s_.cr0, s_.cr3, s_.cr4, lin, write, user, w)) return false;
  w->paddr &= mem_.a20_mask();
  return true;
}

void GuestMmu::flush_tlb_page(uint32_t lin) {
  unsigned idx = (lin >> 12) & (kTlbSize - 1);
  for (auto& u : tlb_)
    for (auto& rw : u) rw[idx] = TlbEntry{};
  s_.attention |= attn::MODE;
  if (exec_pages_bits_[lin >> 18] >> ((lin >> 12) & 63) & 1) new_code_epochs();
  if (views) views->flush_page(lin);
}

void GuestMmu::drop_write_tlb() {
  for (auto& u : tlb_)
    for (TlbEntry& e : u[1]) e = TlbEntry{};
}

uint32_t GuestMmu::translate(uint32_t lin, AccessType type, bool user) {
  uint32_t paddr, error;
  if (!try_translate(lin, type, user, &paddr, &error)) guest_fault(vec::PF, int32_t(error));
  return paddr;
}

bool GuestMmu::try_translate(uint32_t lin, AccessType type, bool user, uint32_t* paddr_out, uint32_t* pf_error) {
  bool write = type == AccessType::Write;
  uint32_t paddr;
  bool dirty = true, global = false;
  if (!s_.paging()) {
    paddr = lin;
  } else {
    PageWalk w = walk_page_tables(mem_, s_.cr0, s_.cr3, s_.cr4, lin, write, user);
    if (!w.ok) {
      s_.cr2 = lin;
      *pf_error = w.error;
      return false;
    }
    paddr = w.paddr;
    dirty = w.dirty;
    global = w.global && (s_.cr4 & cr4::PGE);
  }
  paddr &= mem_.a20_mask();
  fill_tlb(lin, paddr, type, user, dirty, global);
  *paddr_out = paddr;
  return true;
}

void GuestMmu::fill_tlb(uint32_t lin, uint32_t paddr, AccessType type, bool user, bool pte_dirty, bool global) {
  PhysMem::PageRef ref = mem_.page(paddr & ~0xFFFu);
  if (!ref.host) return;
  // Accesses to a page holding a data breakpoint must reach the slow path, which checks them.
  if (__builtin_expect(watching(), 0) && breakpoints->watches_page(lin)) return;
  bool write = type == AccessType::Write;
  if (write && (!ref.writable || !pte_dirty || code_pages.has_code(paddr))) return;
  const unsigned kind = write ? kTlbWrite : type == AccessType::Exec ? kTlbExec : kTlbRead;
  const unsigned index = (lin >> 12) & (kTlbSize - 1);
  TlbEntry& e = tlb_[user][kind][index];
  if (kind == kTlbExec) note_exec_page(lin, user, global);
  if (!global && !nonglobal_overflow_) {
    if (nonglobal_slots_.size() < kNonGlobalLog) nonglobal_slots_.push_back(uint16_t(user << 15 | kind << 13 | index));
    else nonglobal_overflow_ = true;
  }
  e.tag = lin & ~0xFFFu;
  e.phys = (paddr & ~0xFFFu) | (global ? kTlbGlobal : 0u);
  e.addend = reinterpret_cast<uintptr_t>(ref.host) - (lin & ~0xFFFu);
}

// ---- physical slow paths --------------------------------------------------------------------------

uint64_t GuestMmu::phys_read(uint32_t paddr, unsigned size) {
  PhysMem::PageRef ref = mem_.page(paddr & ~0xFFFu);
  if (ref.host) {
    uint64_t v = 0;
    std::memcpy(&v, ref.host + (paddr & 0xFFF), size);
    return v;
  }
  if (size == 8) return mem_.read(paddr, 4) | (uint64_t(mem_.read(paddr + 4, 4)) << 32);
  return mem_.read(paddr, size);
}

void GuestMmu::phys_write(uint32_t paddr, uint64_t v, unsigned size) {
  if (code_pages.has_code(paddr)) note_code_write(paddr, size);
  PhysMem::PageRef ref = mem_.page(paddr & ~0xFFFu);
  if (ref.host && ref.writable) {
    std::memcpy(ref.host + (paddr & 0xFFF), &v, size);
  } else if (size == 8) {
    mem_.write(paddr, uint32_t(v), 4);
    mem_.write(paddr + 4, uint32_t(v >> 32), 4);
  } else {
    mem_.write(paddr, uint32_t(v), size);
  }
}

void GuestMmu::note_code_write(uint32_t paddr, unsigned size) {
  const unsigned n = code_pages.note_write(paddr, size);
  if (n) {
    stats.smc_invalidations += n;
    s_.attention |= attn::SMC;  // the running block may be among them: leave it after this instruction
  }
}

// ---- linear slow paths -----------------------------------------------------------------------------

// Reads `size` bytes at `lin`, translating each page touched for access `type`.
uint64_t GuestMmu::read_translated(uint32_t lin, unsigned size, bool user, AccessType type) {
  // (The read half of a read-modify-write counts as a read for data breakpoints; its write half
  // comes through write_lin_slow.)
  if (__builtin_expect(watching(), 0)) {
    const uint64_t v = read_translated_unwatched(lin, size, user, type);
    note_data_access(lin, size, false);
    return v;
  }
  return read_translated_unwatched(lin, size, user, type);
}

uint64_t GuestMmu::read_translated_unwatched(uint32_t lin, unsigned size, bool user, AccessType type) {
  unsigned first = 0x1000 - (lin & 0xFFF);
  if (first >= size) return phys_read(translate(lin, type, user), size);
  // Crosses a page boundary: translate both pages (faults before any effect), then combine.
  uint32_t p0 = translate(lin, type, user);
  uint32_t p1 = translate(lin + first, type, user);
  uint64_t v = 0;
  for (unsigned k = 0; k < size; ++k) {
    uint32_t p = k < first ? p0 + k : p1 + (k - first);
    v |= phys_read(p, 1) << (8 * k);
  }
  return v;
}

void GuestMmu::write_lin_slow(uint32_t lin, uint64_t v, unsigned size, bool user) {
  write_translated(lin, v, size, user);
  if (__builtin_expect(watching(), 0)) note_data_access(lin, size, true);
}

void GuestMmu::write_translated(uint32_t lin, uint64_t v, unsigned size, bool user) {
  unsigned first = 0x1000 - (lin & 0xFFF);
  if (first >= size) {
    phys_write(translate(lin, AccessType::Write, user), v, size);
    return;
  }
  uint32_t p0 = translate(lin, AccessType::Write, user);
  uint32_t p1 = translate(lin + first, AccessType::Write, user);
  for (unsigned k = 0; k < size; ++k) {
    uint32_t p = k < first ? p0 + k : p1 + (k - first);
    phys_write(p, (v >> (8 * k)) & 0xFF, 1);
  }
}

// ---- multi-byte helpers ------------------------------------------------------------------------------

void GuestMmu::probe_read(unsigned seg, uint32_t off, unsigned size) {
  uint32_t lin = seg_check(seg, off, size, false);
  for (uint32_t page = lin & ~0xFFFu; ; page += 0x1000) {
    translate(page < lin ? lin : page, AccessType::Read, user_access());
    if (page >= ((lin + size - 1) & ~0xFFFu)) break;
  }
}

void GuestMmu::probe_write(unsigned seg, uint32_t off, unsigned size) {
  uint32_t lin = seg_check(seg, off, size, true);
  for (uint32_t page = lin & ~0xFFFu; ; page += 0x1000) {
    translate(page < lin ? lin : page, AccessType::Write, user_access());
    if (page >= ((lin + size - 1) & ~0xFFFu)) break;
  }
}

// The alignment #AC demands of an x87 memory image of `n` bytes (SDM vol. 3, table "Alignment
// Requirements by Data Type"): m16/m32/m64 their size, m80 8, FSTENV/FSAVE images 2 or 4 by
// operand size. FXSAVE areas are checked for 16-byte alignment (#GP) by their instructions.
static unsigned x87_image_alignment(unsigned n) {
  switch (n) {
    case 2: case 14: case 94: return 2;
    case 4: case 28: case 108: return 4;
    case 8: case 10: return 8;
    default: return 1;
  }
}

void GuestMmu::read_bytes(unsigned seg, uint32_t off, void* dst, unsigned n) {
  if (!n) return;
  uint32_t lin = seg_check(seg, off, n, false);
  check_alignment(lin, x87_image_alignment(n));
  if (const uint8_t* p = direct_range(seg, off, n, false)) {  // one page the TLB maps: one copy
    std::memcpy(dst, p, n);
    return;
  }
  auto* d = static_cast<uint8_t*>(dst);
  for (unsigned k = 0; k < n; ++k) d[k] = read_lin<uint8_t>(lin + k, user_access());
}

void GuestMmu::write_bytes(unsigned seg, uint32_t off, const void* src, unsigned n) {
  if (!n) return;
  uint32_t lin = seg_check(seg, off, n, true);
  check_alignment(lin, x87_image_alignment(n));
  if (uint8_t* p = direct_range(seg, off, n, true)) {
    std::memcpy(p, src, n);
    return;
  }
  probe_write(seg, off, n);
  auto* p = static_cast<const uint8_t*>(src);
  for (unsigned k = 0; k < n; ++k) write_lin<uint8_t>(lin + k, p[k], user_access());
}

// ---- instruction fetch ---------------------------------------------------------------------------------

const uint8_t* GuestMmu::fetch_ptr(uint32_t lin, uint32_t* phys) {
  const uint8_t* host;
  uint32_t error;
  if (!try_fetch_ptr(lin, phys, &host, &error)) guest_fault(vec::PF, int32_t(error));
  return host;
}

bool GuestMmu::try_fetch_ptr(uint32_t lin, uint32_t* phys, const uint8_t** host, uint32_t* pf_error) {
  bool user = user_access();
  const TlbEntry& e = tlb_[user][kTlbExec][(lin >> 12) & (kTlbSize - 1)];
  if (e.tag == (lin & ~0xFFFu)) {
    *phys = (e.phys & ~0xFFFu) | (lin & 0xFFF);
    *host = reinterpret_cast<const uint8_t*>(e.addend + lin);
    return true;
  }
  uint32_t p;
  if (!try_translate(lin, AccessType::Exec, user, &p, pf_error)) return false;
  *phys = p;
  PhysMem::PageRef ref = mem_.page(p & ~0xFFFu);
  *host = ref.host ? ref.host + (p & 0xFFF) : nullptr;
  return true;
}

}  // namespace bt86
