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
  const uint32_t frames[2] = {m.pde_addr >> 12, m.pte_addr ? m.pte_addr >> 12 : m.pde_addr >> 12};
  for (unsigned k = 0; k < 2; ++k) {
    const uint32_t f = frames[k];
    if (pt_live_[f]++ == 0) {
      ++st_.pt_frames_traced;
      if (mmu_.code_pages.mark(f << 12, pt_holder_)) mmu_.code_page_added(f << 12);
    }
    if (k == 0 || f != frames[0]) pt_deps_[f].push_back(uint64_t(view) << 32 | lin);
  }
}

// Mapping m leaves its view: its frames lose a dependant, and stop being traced with the last.
void LinearViews::untrace(const Mapping& m) {
  if (!m.pde_addr) return;
  const uint32_t frames[2] = {m.pde_addr >> 12, m.pte_addr ? m.pte_addr >> 12 : m.pde_addr >> 12};
  for (uint32_t f : frames) {
    auto it = pt_live_.find(f);
    if (it == pt_live_.end()) continue;  // (forgotten by code_invalidate_all)
    if (--it->second == 0) untrace_frame(f);
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
  auto it = pt_deps_.find(frame);
  if (it == pt_deps_.end()) return 0;
  std::vector<uint64_t>& deps = it->second;
  std::vector<uint32_t> drop[kMaxUserViews + 1];
  size_t kept = 0;
  for (uint64_t d : deps) {
    const unsigned view = unsigned(d >> 32);
    const uint32_t lin = uint32_t(d);
    auto m = views_[view].mapped.find(lin);
    if (m == views_[view].mapped.end()) continue;
    bool depends = false, hit = false;
    for (uint32_t a : {m->second.pde_addr, m->second.pte_addr}) {
      if (!a || a >> 12 != frame) continue;
      depends = true;
      hit |= a < paddr + size && paddr < a + 4;
    }
    if (!depends) continue;
    if (hit) drop[view].push_back(lin);
    else deps[kept++] = d;
  }
  deps.resize(kept);
  for (unsigned v = 1; v < views_.size(); ++v) {
    if (drop[v].empty()) continue;
    st_.pt_pages_dropped += drop[v].size();
    park_pages(views_[v], drop[v]);  // (untrace: the frame may stop being traced, `deps` with it)
  }
  return 0;  // no translated block dropped
}

// CodePages forgot every mark (a loader's copy, a reset): nothing is traced any more, so what the
// user views map can no longer be trusted without revalidation; they start again.
void LinearViews::code_invalidate_all() {
  pt_deps_.clear();
  pt_live_.clear();
  for (size_t v = 1; v < views_.size(); ++v) {
    clear_view(views_[v]);
    views_[v].tagged = false;
  }
}

}  // namespace bt86
