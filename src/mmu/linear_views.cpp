// Guest linear memory mirrored in host virtual memory (see linear_views.h).
#include "mmu/linear_views.h"

#include <sys/mman.h>
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
  try {
    for (uint8_t*& b : base_) b = reserve(kViewBytes);
  } catch (...) {
    for (uint8_t* b : base_)
      if (b) munmap(b, kViewBytes);
    throw;
  }
  for (unsigned v = 0; v < 3; ++v) mmu_.view_base[v] = base_[v];
  for (unsigned i = 0; i < 6; ++i) mmu_.update_seg_cache(i);
  mmu_.views = this;
}

LinearViews::~LinearViews() {
  if (mmu_.views == this) mmu_.views = nullptr;
  for (unsigned v = 0; v < 3; ++v) mmu_.view_base[v] = nullptr;
  for (uint8_t* b : base_) munmap(b, kViewBytes);
}

int LinearViews::view_of(const void* p) const {
  const uint8_t* a = static_cast<const uint8_t*>(p);
  for (int v = 0; v < 3; ++v)
    if (a >= base_[v] && a < base_[v] + kViewBytes) return v;
  return -1;
}

bool LinearViews::handle_fault(const void* p, bool write) {
  ++st_.faults;
  const int view = view_of(p);
  const uint64_t off = uint64_t(static_cast<const uint8_t*>(p) - base_[view < 0 ? 0 : view]);
  if (view < 0 || view == 2 || off >= (1ull << 32)) {
    ++st_.to_slow_path;
    return false;
  }
  const bool user = view == 1;
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
  const bool writable = t.writable && b.kind == PhysMem::Backing::Kind::Ram && b.direct_write &&
                        !mmu_.code_pages.has_code(t.paddr);
  if (!mappable || (write && !writable)) {
    ++st_.to_slow_path;
    return false;
  }
  if (mapped_[0].size() + mapped_[1].size() >= budget_) {
    ++st_.evictions;
    flush_all();
  }
  uint8_t* at = base_[view] + lin;
  if (mmap(at, 0x1000, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED | MAP_FIXED, b.fd,
           off_t(b.offset)) == MAP_FAILED) {
    ++st_.to_slow_path;
    return false;
  }
  mapped_[view][lin] = Mapping{t.paddr & ~0xFFFu, writable, t.global};
  if (t.global) {
    if (lin < lowest_global_[view]) lowest_global_[view] = lin;
  } else {
    non_global_[view].push_back(lin);
  }
  if (writable) writable_by_phys_[t.paddr >> 12].push_back(uint64_t(view) << 32 | lin);
  ++st_.pages_mapped;
  return true;
}

void LinearViews::flush_all() {
  ++st_.flushes;
  for (unsigned v = 0; v < 2; ++v) {
    if (!mapped_[v].empty()) clear(base_[v], kViewBytes);
    mapped_[v].clear();
    non_global_[v].clear();
    lowest_global_[v] = 1ull << 32;
  }
  writable_by_phys_.clear();
}

// A CR3 load: the non-global pages go. Those below the lowest global page (a process's whole
// user space, typically) go with one mmap call over that range; the rest one by one.
void LinearViews::flush_non_global() {
  ++st_.cr3_flushes;
  for (unsigned v = 0; v < 2; ++v) {
    const uint64_t low = lowest_global_[v];
    bool below = false;
    for (uint32_t lin : non_global_[v]) below |= lin < low;
    if (below) clear(base_[v], low);
    for (uint32_t lin : non_global_[v]) {
      if (lin >= low) unmap_page(v, lin);
      else mapped_[v].erase(lin);
    }
    non_global_[v].clear();
  }
  // (writable_by_phys_ entries of pages no longer mapped are skipped where used)
}

void LinearViews::flush_page(uint32_t lin) {
  ++st_.page_flushes;
  for (unsigned v = 0; v < 2; ++v) unmap_page(v, lin & ~0xFFFu);
}

void LinearViews::unmap_page(unsigned view, uint32_t lin_page) {
  auto it = mapped_[view].find(lin_page);
  if (it == mapped_[view].end()) return;
  clear(base_[view] + lin_page, 0x1000);
  mapped_[view].erase(it);
}

void LinearViews::code_page_added(uint32_t phys) {
  auto it = writable_by_phys_.find(phys >> 12);
  if (it == writable_by_phys_.end()) return;
  for (uint64_t e : it->second) {
    const unsigned v = unsigned(e >> 32);
    const uint32_t lin = uint32_t(e);
    auto m = mapped_[v].find(lin);
    if (m == mapped_[v].end() || m->second.phys != phys || !m->second.writable) continue;  // stale
    mprotect(base_[v] + lin, 0x1000, PROT_READ);
    m->second.writable = false;
    ++st_.write_protects;
  }
  writable_by_phys_.erase(it);
}

}  // namespace bt86
