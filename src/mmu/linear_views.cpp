// Guest linear memory mirrored in host virtual memory (see linear_views.h).
#include "mmu/linear_views.h"

#include <sys/mman.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace bt86 {

namespace {

// A view starts on a 4 GiB boundary, so the low 32 bits of a host address in it are the linear
// address (translated string instructions turn their advanced host pointers back into ESI/EDI with
// one 32-bit MOV). Reserved with 4 GiB to spare; the unused ends are given back.
uint8_t* reserve(uint64_t bytes) {
  constexpr uint64_t kAlign = 1ull << 32;
  void* p = mmap(nullptr, bytes + kAlign, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw std::runtime_error(std::string("cannot reserve a 4 GiB linear view: ") + std::strerror(errno));
  uint8_t* const start = static_cast<uint8_t*>(p);
  uint8_t* const at = reinterpret_cast<uint8_t*>((uint64_t(start) + kAlign - 1) & ~(kAlign - 1));
  if (at > start) munmap(start, size_t(at - start));
  if (start + kAlign > at) munmap(at + bytes, size_t(start + kAlign - at));
  return at;
}

// Back to an inaccessible reservation (one call replaces whatever was mapped there).
void clear(uint8_t* at, uint64_t bytes) {
  if (mmap(at, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
    throw std::runtime_error(std::string("cannot clear a linear view: ") + std::strerror(errno));
}

}  // namespace

LinearViews::LinearViews(GuestMmu& mmu, PhysMem& mem) : mmu_(mmu), mem_(mem) {
  // The supervisor view, the dead view and one user view are needed; more user views (an address
  // space each) as the host's address-space limit allows.
  std::vector<uint8_t*> got;
  try {
    for (int k = 0; k < 3; ++k) got.push_back(reserve(kViewBytes));
  } catch (...) {
    for (uint8_t* b : got) munmap(b, kViewBytes);
    throw;
  }
  for (unsigned k = 1; k < kMaxUserViews; ++k) {
    try {
      got.push_back(reserve(kViewBytes));
    } catch (const std::runtime_error&) {
      break;
    }
  }
  dead_ = got[2];
  views_.resize(got.size() - 1);
  views_[0].base = got[0];
  views_[1].base = got[1];
  for (size_t k = 3; k < got.size(); ++k) views_[k - 1].base = got[k];
  mmu_.view_base[0] = views_[0].base;
  mmu_.view_base[1] = views_[active_].base;
  mmu_.view_base[2] = dead_;
  for (unsigned i = 0; i < 6; ++i) mmu_.update_seg_cache(i);
  mmu_.views = this;
  current_cr3_ = mmu_.cr3() & 0xFFFFF000u;
  pt_holder_ = mmu_.code_pages.add_listener(this);
}

LinearViews::~LinearViews() {
  mmu_.code_pages.remove_listener(pt_holder_);
  if (mmu_.views == this) mmu_.views = nullptr;
  for (unsigned v = 0; v < 3; ++v) mmu_.view_base[v] = nullptr;
  for (View& v : views_) munmap(v.base, kViewBytes);
  munmap(dead_, kViewBytes);
}

int LinearViews::view_of(const void* p) const {
  const uint8_t* a = static_cast<const uint8_t*>(p);
  for (size_t v = 0; v < views_.size(); ++v)
    if (a >= views_[v].base && a < views_[v].base + kViewBytes) return int(v);
  if (a >= dead_ && a < dead_ + kViewBytes) return kDead;
  return -1;
}

size_t LinearViews::mapped_total() const {
  size_t n = 0;
  for (const View& v : views_) n += v.mapped.size() + v.parked.size();
  return n;
}

bool LinearViews::handle_fault(const void* p, bool write) {
  ++st_.faults;
  const int view = view_of(p);
  // (Only the current address space's user view is in use; the others wait for their CR3.)
  if (view < 0 || view == kDead || (view > 0 && unsigned(view) != active_)) {
    ++st_.to_slow_path;
    return false;
  }
  View& v = views_[size_t(view)];
  const uint64_t off = uint64_t(static_cast<const uint8_t*>(p) - v.base);
  if (off >= (1ull << 32)) {
    ++st_.to_slow_path;
    return false;
  }
  const bool user = view != 0;
  if (user) ++st_.user_faults;
  const uint32_t lin = uint32_t(off) & ~0xFFFu;
  // A write to a page mapped read-only comes here too: the walk below sets D if it may.
  const ViewTranslation t = mmu_.translate_for_view(uint32_t(off), write, user);
  if (!t.ok) {
    ++st_.to_slow_path;
    return false;
  }
  const PhysMem::Backing b = mem_.backing(t.paddr & ~0xFFFu);
  const bool mappable = b.fd >= 0 && (b.kind == PhysMem::Backing::Kind::Ram || b.kind == PhysMem::Backing::Kind::Rom ||
                                      b.kind == PhysMem::Backing::Kind::DeviceRam);
  const bool writable = t.writable && writable_frame(b, t.paddr);
  if (!mappable || (write && !writable)) {
    ++st_.to_slow_path;
    return false;
  }
  if (!install(v, lin, t.paddr & ~0xFFFu, writable, t.global, b, t.pde_addr, t.pte_addr)) {
    ++st_.to_slow_path;
    return false;
  }
  if (user) ++st_.user_pages_mapped;
  return true;
}

// The page a guest #PF handler just made present, mapped before the faulting user instruction
// runs again (Translator: an IRET to CPL 3 with a new CR2), so that its retry does not fault
// once more: only if the tables already say what that retry's walk would find (A set, and D for
// a writable mapping: peek_for_view changes nothing), like a TLB entry the CPU prefetched.
void LinearViews::prefault_user(uint32_t lin) {
  View& v = views_[active_];
  lin &= ~0xFFFu;
  if (v.mapped.count(lin)) return;
  PageWalk w;
  if (!mmu_.peek_for_view(lin, false, true, &w)) return;
  const uint32_t phys = w.paddr & ~0xFFFu;
  const PhysMem::Backing b = mem_.backing(phys);
  if (b.fd < 0 || b.kind != PhysMem::Backing::Kind::Ram) return;
  const bool writable = w.writable && w.dirty && writable_frame(b, phys);
  if (install(v, lin, phys, writable, w.global, b, w.pde_addr, w.pte_addr)) {
    ++st_.prefaults;
    ++st_.user_pages_mapped;
  }
}

// Whether a view may map frame `paddr` writable (as far as the frame goes): RAM written directly,
// holding no translated code.
bool LinearViews::writable_frame(const PhysMem::Backing& b, uint32_t paddr) const {
  return b.kind == PhysMem::Backing::Kind::Ram && b.direct_write && !mmu_.code_pages.has_code(paddr);
}

// Maps linear page `lin` of view v to frame `phys` (an mprotect if it is parked there or mapped
// there already, read-only before a write say, else an mmap) and records it.
bool LinearViews::install(View& v, uint32_t lin, uint32_t phys, bool writable, bool global, const PhysMem::Backing& b,
                          uint32_t pde_addr, uint32_t pte_addr) {
  const unsigned view = unsigned(&v - views_.data());
  const bool traced = tracing_ && view != 0 && pde_addr;
  if (traced && !traceable(pde_addr, pte_addr)) return false;  // (tables outside RAM: slow path)
  uint8_t* at = v.base + lin;
  const int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
  auto pk = v.parked.find(lin);
  auto mapped = v.mapped.find(lin);
  if (pk != v.parked.end() && pk->second == phys && mprotect(at, 0x1000, prot) == 0) {
    v.parked.erase(pk);
    ++st_.pages_unparked;
  } else if (mapped != v.mapped.end() && mapped->second.phys == phys && mprotect(at, 0x1000, prot) == 0) {
    ++st_.pages_reprotected;  // (read-only until written: its D bit, or a copy-on-write kept)
  } else {
    if (mapped_total() >= budget_) {
      ++st_.evictions;
      drop_parked();
      if (mapped_total() >= budget_) flush_all();
    }
    if (mmap(at, 0x1000, prot, MAP_SHARED | MAP_FIXED | MAP_POPULATE, b.fd, off_t(b.offset)) == MAP_FAILED)
      return false;
    v.parked.erase(lin);
    ++st_.pages_mapped;
  }
  Mapping& m = v.mapped[lin];
  untrace(m);  // (a mapping replaced: read-only before its D bit, say; a new one has none)
  m = Mapping{phys, writable, global};
  if (global) {
    if (lin < v.lowest_global) v.lowest_global = lin;
  } else {
    v.non_global.push_back(lin);
  }
  if (writable) writable_by_phys_[phys >> 12].push_back(uint64_t(view) << 32 | lin);
  if (traced) {
    // Last, so that a frame traced from now on finds this mapping among the writable ones too
    // (a page table mapped writable into user space is made read-only like the others).
    m.pde_addr = pde_addr;
    m.pte_addr = pte_addr;
    trace(view, lin, m);
  }
  return true;
}

// Everything out of the view, parked pages too.
void LinearViews::clear_view(View& v) {
  if (!v.mapped.empty() || !v.parked.empty()) clear(v.base, kViewBytes);
  if (tracing_)
    for (const auto& [lin, m] : v.mapped) untrace(m);
  v.mapped.clear();
  v.parked.clear();
  v.non_global.clear();
  v.lowest_global = 1ull << 32;
}

// Calls f(first lin, pages) for each run of consecutive pages in `sorted` (page addresses).
template <class F>
static void for_each_run(const std::vector<uint32_t>& sorted, F&& f) {
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i + 1;
    while (j < sorted.size() && sorted[j] == sorted[j - 1] + 0x1000) ++j;
    f(sorted[i], j - i);
    i = j;
  }
}

// Parks `n` consecutive mapped pages from `lin` with one mprotect call.
void LinearViews::park_run(View& v, uint32_t lin, size_t n) {
  uint8_t* at = v.base + lin;
  const uint64_t bytes = uint64_t(n) << 12;
  const bool parked = mprotect(at, bytes, PROT_NONE) == 0;
  if (!parked) clear(at, bytes);  // (cannot happen but for a lack of memory)
  for (size_t k = 0; k < n; ++k) {
    auto it = v.mapped.find(lin + uint32_t(k << 12));
    if (parked) v.parked[it->first] = it->second.phys;
    untrace(it->second);
    v.mapped.erase(it);
  }
}

// Parks the mapped pages among `pages` (sorted here; stale or repeated entries are skipped), one
// mprotect call per run of consecutive ones: a call's cost grows with the mappings its range
// covers, parked ones included, so ranges stay tight.
void LinearViews::park_pages(View& v, std::vector<uint32_t>& pages) {
  std::sort(pages.begin(), pages.end());
  pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
  size_t n = 0;
  for (uint32_t lin : pages)
    if (v.mapped.count(lin)) pages[n++] = lin;
  pages.resize(n);
  for_each_run(pages, [&](uint32_t lin, size_t count) { park_run(v, lin, count); });
}

// The mapping budget ran out: the parked pages of the view holding most are really unmapped (in
// runs of consecutive pages), a part of the budget at a time rather than one long pause.
void LinearViews::drop_parked() {
  View* most = &views_[0];
  for (View& v : views_)
    if (v.parked.size() > most->parked.size()) most = &v;
  std::vector<uint32_t>& lins = drop_scratch_;
  lins.clear();
  for (const auto& [lin, phys] : most->parked) lins.push_back(lin);
  std::sort(lins.begin(), lins.end());
  for_each_run(lins, [&](uint32_t lin, size_t count) { clear(most->base + lin, uint64_t(count) << 12); });
  st_.parked_dropped += lins.size();
  most->parked.clear();
}

void LinearViews::flush_all() {
  ++st_.flushes;
  for (View& v : views_) {
    clear_view(v);
    v.tagged = false;
  }
  writable_by_phys_.clear();
}

// A CR3 load: the supervisor view's non-global pages below its lowest global page (a process's
// whole user space, typically) are parked; those above it (kernel
// pages mapped without G — Linux's page-table pages, say) stay if the new page tables map them as
// a TLB refill would, changing nothing (the same frame with A, and D if writable, already set:
// what revalidate() checks for user views), else go one by one. The user view becomes the new
// address space's (see the top of linear_views.h).
void LinearViews::flush_non_global() {
  ++st_.cr3_loads;
  View& v = views_[0];
  const uint64_t low = v.lowest_global;
  std::vector<uint32_t>& below = drop_scratch_;
  below.clear();
  for (uint32_t lin : v.non_global)
    if (lin < low) below.push_back(lin);
  park_pages(v, below);
  std::vector<uint32_t>& kept = all_scratch_;
  kept.clear();
  for (uint32_t lin : v.non_global) {
    if (lin < low) continue;
    auto it = v.mapped.find(lin);
    if (it == v.mapped.end()) continue;  // (unmapped since)
    const Mapping& m = it->second;
    PageWalk w;
    if (mmu_.peek_for_view(lin, m.writable, false, &w) && (w.paddr & ~0xFFFu) == m.phys &&
        (!m.writable || w.writable) && !w.global) {
      kept.push_back(lin);
      ++st_.kernel_pages_kept;
    } else {
      unmap_page(v, lin);
    }
  }
  std::sort(kept.begin(), kept.end());  // (a page unmapped and mapped again is listed twice)
  kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
  v.non_global.swap(kept);
  // (writable_by_phys_ entries of pages no longer mapped are skipped where used)
  switch_user_view(mmu_.cr3());
}

void LinearViews::switch_user_view(uint32_t cr3) {
  cr3 &= 0xFFFFF000u;
  View& old = views_[active_];
  // (Tags only say where to look first: whatever a view keeps is revalidated before use.)
  old.tagged = true;
  old.cr3 = current_cr3_;
  current_cr3_ = cr3;
  old.last_used = ++clock_;
  unsigned pick = 0;
  for (unsigned k = 1; k < views_.size(); ++k)
    if (views_[k].tagged && views_[k].cr3 == cr3) pick = k;
  if (pick) {
    ++st_.user_view_hits;
    if (tracing_) {
      // Every entry its mappings came from is traced: whatever changed was parked when written.
      ++st_.revalidations_skipped;
      st_.pages_kept += views_[pick].mapped.size();
    } else {
      revalidate(views_[pick]);
    }
  } else {
    pick = 1;  // the least recently used (an untagged one first)
    for (unsigned k = 1; k < views_.size(); ++k) {
      if (!views_[k].tagged) {
        pick = k;
        break;
      }
      if (views_[k].last_used < views_[pick].last_used) pick = k;
    }
    park_all(views_[pick]);  // (a new address space may map some of the same frames again)
  }
  View& now = views_[pick];
  now.tagged = true;
  now.cr3 = cr3;
  now.last_used = ++clock_;
  if (pick != active_) {
    active_ = pick;
    mmu_.view_base[1] = now.base;
    for (unsigned i = 0; i < 6; ++i) mmu_.update_seg_cache(i);
  }
}

// An address space comes back: each page its user view still maps stays if the guest's page
// tables (as they are now) would give a refill the same frame with nothing to update. A writable
// one that a read would still find there (write-protected for copy-on-write by a fork, most
// often) stays read-only: its reads need no fault, and a write faults as it would now. The
// others are parked. Both in runs of consecutive pages, one mprotect call each.
void LinearViews::revalidate(View& v) {
  std::vector<uint32_t>& drop = drop_scratch_;
  std::vector<uint32_t>& read_only = all_scratch_;
  drop.clear();
  read_only.clear();
  for (const auto& [lin, m] : v.mapped) {
    // (A peek that succeeds found the frame the mapping holds, with the same global bit.)
    auto same = [&, &m = m](bool write, PageWalk* w) {
      return mmu_.peek_for_view(lin, write, true, w) && (w->paddr & ~0xFFFu) == m.phys && w->global == m.global;
    };
    PageWalk w;
    if (same(m.writable, &w) && (!m.writable || w.writable)) continue;
    (m.writable && same(false, &w) ? read_only : drop).push_back(lin);
  }
  st_.pages_dropped += drop.size();
  st_.pages_read_only += read_only.size();
  st_.pages_kept += v.mapped.size() - drop.size() - read_only.size();
  park_pages(v, drop);
  std::sort(read_only.begin(), read_only.end());
  for_each_run(read_only, [&](uint32_t lin, size_t n) {
    if (mprotect(v.base + lin, n << 12, PROT_READ) != 0) return park_run(v, lin, n);  // (no memory for
                                                                                      // the split: out)
    for (size_t k = 0; k < n; ++k) v.mapped[lin + uint32_t(k << 12)].writable = false;
  });
}

// Every mapped page of the view parked.
void LinearViews::park_all(View& v) {
  std::vector<uint32_t>& all = all_scratch_;
  all.clear();
  for (const auto& [lin, m] : v.mapped) all.push_back(lin);
  park_pages(v, all);
  v.non_global.clear();
  v.lowest_global = 1ull << 32;
}

void LinearViews::flush_page(uint32_t lin) {
  ++st_.page_flushes;
  unmap_page(views_[0], lin & ~0xFFFu);
  unmap_page(views_[active_], lin & ~0xFFFu);
}

void LinearViews::unmap_page(View& v, uint32_t lin_page) {
  if (v.mapped.count(lin_page)) park_run(v, lin_page, 1);
}

void LinearViews::code_page_added(uint32_t phys) {
  auto it = writable_by_phys_.find(phys >> 12);
  if (it == writable_by_phys_.end()) return;
  for (uint64_t e : it->second) {
    View& v = views_[size_t(e >> 32)];
    const uint32_t lin = uint32_t(e);
    auto m = v.mapped.find(lin);
    if (m == v.mapped.end() || m->second.phys != phys || !m->second.writable) continue;  // stale
    if (mprotect(v.base + lin, 0x1000, PROT_READ) != 0) {  // (no memory for the split: out)
      park_run(v, lin, 1);
      continue;
    }
    m->second.writable = false;
    ++st_.write_protects;
  }
  writable_by_phys_.erase(it);
}

}  // namespace bt86
