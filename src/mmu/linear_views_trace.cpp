// Page-table write tracing for the linear views' user views (see linear_views.h): which guest
// page-directory and page-table frames each user-view mapping came from, those frames held as
// code pages of our own (CodePages), and what a guest write to one of them drops.
#include "mmu/linear_views.h"

namespace bt86 {

// Tracing needs every write to reach code_written(): the entries must be in RAM that the CPU
// writes through GuestMmu (page tables in ROM or device memory are not traced, nor mapped).
bool LinearViews::traceable(uint32_t pde_addr, uint32_t pte_addr) const {
  for (uint32_t a : {pde_addr, pte_addr}) {
    if (!a) continue;
    const PhysMem::Backing b = mem_.backing(a & ~0xFFFu);
    if (b.kind != PhysMem::Backing::Kind::Ram) return false;
  }
  return true;
}

// Mapping m (view, lin) now depends on its entries' frames: each frame traced from its first
// dependant on (a new holder of the page in CodePages: the CPU TLB and the views stop writing it
// directly, GuestMmu::code_page_added).
void LinearViews::trace(unsigned view, uint32_t lin, const Mapping& m) {
  for (uint32_t a : {m.pde_addr, m.pte_addr}) {
    if (!a) continue;
    const uint32_t f = a >> 12;
    if (pt_live_[f]++ == 0) {
      ++st_.pt_frames_traced;
      if (mmu_.code_pages.mark(f << 12, pt_holder_)) mmu_.code_page_added(f << 12);
    }
    pt_deps_[f][uint16_t((a & 0xFFF) >> 2)].push_back(uint64_t(view) << 32 | lin);
  }
}

// Mapping m leaves its view: its frames lose a dependant, and stop being traced with the last.
void LinearViews::untrace(const Mapping& m) {
  for (uint32_t a : {m.pde_addr, m.pte_addr}) {
    if (!a) continue;
    auto it = pt_live_.find(a >> 12);
    if (it == pt_live_.end()) continue;  // (forgotten by code_invalidate_all)
    if (--it->second == 0) untrace_frame(a >> 12);
  }
}

void LinearViews::untrace_frame(uint32_t frame) {
  mmu_.code_pages.unmark(frame << 12, pt_holder_);
  pt_deps_.erase(frame);
  pt_live_.erase(frame);
}

// A guest write of `size` bytes at `paddr` in a traced frame (before the bytes change): every
// user-view mapping that used an entry among them is parked; the next access walks the tables
// as they will be. Dependants whose mapping went since are forgotten on the way.
unsigned LinearViews::code_written(uint32_t paddr, unsigned size) {
  ++st_.pt_writes;
  const uint32_t frame = paddr >> 12;
  auto f = pt_deps_.find(frame);
  if (f == pt_deps_.end()) return 0;
  std::vector<uint32_t> drop[kMaxUserViews + 1];
  const unsigned first = (paddr & 0xFFF) >> 2, last = ((paddr & 0xFFF) + size - 1) >> 2;
  for (unsigned e = first; e <= last && e < 1024; ++e) {
    auto it = f->second.find(uint16_t(e));
    if (it == f->second.end()) continue;
    const uint32_t entry = frame << 12 | e << 2;
    for (uint64_t d : it->second) {
      const unsigned view = unsigned(d >> 32);
      auto m = views_[view].mapped.find(uint32_t(d));
      if (m != views_[view].mapped.end() && (m->second.pde_addr == entry || m->second.pte_addr == entry))
        drop[view].push_back(uint32_t(d));
    }
    f->second.erase(it);  // (every mapping that used it is dropped now, or was gone already)
  }
  for (unsigned v = 1; v < views_.size(); ++v) {
    if (drop[v].empty()) continue;
    st_.pt_pages_dropped += drop[v].size();
    park_pages(views_[v], drop[v]);  // (untrace: the frame may stop being traced, `f` with it)
  }
  return 0;  // no translated block dropped
}

// CodePages forgot every mark (a loader's copy, a reset): nothing is traced any more, so what the
// user views map can no longer be trusted without revalidation; they start again.
void LinearViews::code_invalidate_all() {
  if (!tracing_) return;
  pt_deps_.clear();
  pt_live_.clear();
  for (size_t v = 1; v < views_.size(); ++v) {
    clear_view(views_[v]);
    views_[v].tagged = false;
  }
}

}  // namespace bt86
