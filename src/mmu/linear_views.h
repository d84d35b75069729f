// Guest linear memory mirrored in host virtual memory for translated code (DESIGN.md §6, the
// shadow-page-table MMU): 4 GiB host reservations ("views"), one for supervisor accesses and one
// per recently used address space for user accesses, where guest linear page L is mapped (mmap of
// PhysMem's memfd) at base + L once an access has faulted on it, with the protection the guest's
// page tables give (read-only until the PTE's dirty bit is set, read-only while the page holds
// decoded code, not at all for MMIO). Translated code then reaches memory with one instruction,
// `op [base + lin]`; a host fault (SIGSEGV) on an unmapped or protected page either maps it and
// retries, or sends the guest instruction to its slow path (the interpreter raises the #PF, does
// the MMIO or the store into code).
//
// A page that goes from a view is *parked* rather than unmapped: mprotect(PROT_NONE) keeps its
// mapping of the frame (about 5 times cheaper than replacing it with the reservation again), and
// when it is wanted again on the same frame — a process's text pages after a context switch, the
// same binary in the next process — mprotect maps it back; on another frame mmap replaces it.
// Parked pages count against the mapping budget and are the first to go when it runs out.
//
// Flushes follow the TLB's: INVLPG drops one page, CR0/CR4/A20/memory-map changes everything, and
// a CR3 load drops the supervisor view's non-global pages (but for those above its user space
// that the new page tables still map the same way, which stay). The user views are kept per CR3 (up to
// kMaxUserViews, least recently used reused): a CR3 load switches to that address space's view
// and revalidates what it still maps against the guest page tables (peek_page_tables: a page stays
// only if a TLB refill would find the same frame with A — and D for a writable mapping — set
// already, i.e. exactly what the refill would give, changing nothing), instead of faulting every
// page in again. Guest page-table writes while an address space is switched out are thereby
// caught when it comes back. See docs/translator.md.
//
// With page-table write tracing (set_tracing, the -shadow-trace option; linear_views_trace.cpp),
// the page-directory and page-table frames a user view's mappings came from are watched instead:
// they are code-page holders of their own (CodePages), so no view or CPU TLB entry writes them
// directly and every guest store to one reaches code_written(), which parks the mappings that
// depended on the written entry in every user view. A view that comes back then needs no
// revalidation: what it still maps is what its unchanged entries say.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>
#include "mmu/code_pages.h"
#include "mmu/guest_mmu.h"

namespace bt86 {

struct LinearViewStats {
  uint64_t faults = 0;          // host faults in the views
  uint64_t user_faults = 0;     // of those, in a user view (CPL 3 accesses)
  uint64_t user_pages_mapped = 0;  // pages mapped (mmap or mprotect) in a user view
  uint64_t prefaults = 0;       // of those, mapped at the return from a guest #PF (no host fault)
  uint64_t pages_mapped = 0;    // mmap calls that mapped a page
  uint64_t to_slow_path = 0;    // faults the guest instruction's slow path takes over
  uint64_t flushes = 0;         // everything dropped
  uint64_t cr3_loads = 0;       // CR3 loads (supervisor non-global pages dropped, user view switched)
  uint64_t page_flushes = 0;    // INVLPG
  uint64_t evictions = 0;       // flushes because the mapping budget ran out
  uint64_t write_protects = 0;  // pages made read-only because they now hold code
  uint64_t user_view_hits = 0;  // CR3 loads that found their address space's user view
  uint64_t pages_kept = 0;      // its pages still valid then (not faulted in again)
  uint64_t pages_dropped = 0;   // its pages whose translation had changed
  uint64_t pages_read_only = 0; // its writable pages now only readable (same frame): kept read-only
  uint64_t pages_reprotected = 0;  // a mapped page's protection changed in place (same frame)
  uint64_t kernel_pages_kept = 0;  // supervisor non-global pages above the user space kept at CR3 loads
  uint64_t pages_unparked = 0;  // pages mapped again by mprotect (parked on the same frame)
  uint64_t parked_dropped = 0;  // parked pages really unmapped (the mapping budget)
  // Page-table write tracing (set_tracing):
  uint64_t pt_frames_traced = 0;   // frames that became traced (page directories and tables)
  uint64_t pt_writes = 0;          // guest writes to traced frames
  uint64_t pt_pages_dropped = 0;   // user-view pages parked because an entry they used was written
  uint64_t revalidations_skipped = 0;  // address spaces coming back with nothing to revalidate
};

class LinearViews final : public ViewListener, public CodeListener {
 public:
  static constexpr uint64_t kViewBytes = (1ull << 32) + (1u << 16);  // 4 GiB + a guard
  LinearViews(GuestMmu& mmu, PhysMem& mem);
  ~LinearViews() override;
  LinearViews(const LinearViews&) = delete;
  LinearViews& operator=(const LinearViews&) = delete;

  static constexpr unsigned kMaxUserViews = 4;
  // The supervisor view, or the user view of the current address space (4 GiB-aligned).
  uint8_t* base(bool user) const { return views_[user ? active_ : 0].base; }
  // A reservation that never maps anything: translated code uses it for a segment whose limit or
  // type needs a check, so that every access through it takes the slow path.
  uint8_t* dead_base() const { return dead_; }
  // Which view holds host address p: 0 supervisor, 1.. user views, kDead, or -1.
  static constexpr int kDead = 99;
  int view_of(const void* p) const;
  unsigned user_views() const { return unsigned(views_.size() - 1); }
  // A translated access faulted at host address p in a view: maps the page if the guest allows
  // the access right now (setting A/D bits as the access would) and returns true (retry), or
  // returns false (the slow path must run the instruction).
  bool handle_fault(const void* p, bool write);
  // The current address space's page `lin` into its user view now, if the guest page tables
  // map it for user accesses with A (and D, for writing) already set; else nothing.
  void prefault_user(uint32_t lin);

  // ViewListener (GuestMmu): TLB flush events and pages that now hold code.
  void flush_all() override;
  void flush_non_global() override;
  void flush_page(uint32_t lin) override;
  void code_page_added(uint32_t phys) override;

  // Page-table write tracing for the user views (see the top); off: returning address spaces
  // are revalidated page by page. Set before the guest runs.
  void set_tracing(bool on) { tracing_ = on; }
  bool tracing() const { return tracing_; }
  // CodeListener (CodePages): a guest write to a traced page-table frame.
  unsigned code_written(uint32_t paddr, unsigned size) override;
  void code_invalidate_all() override;

  const LinearViewStats& stats() const { return st_; }

 private:
  struct Mapping {
    uint32_t phys;
    bool writable;
    bool global;
    uint32_t pde_addr = 0, pte_addr = 0;  // traced entries (tracing, user views), else 0
  };
  struct View {
    uint8_t* base = nullptr;
    std::unordered_map<uint32_t, Mapping> mapped;  // lin page -> mapping
    std::unordered_map<uint32_t, uint32_t> parked; // lin page -> frame, mapped PROT_NONE (below)
    std::vector<uint32_t> non_global;              // mapped non-global pages (maybe stale)
    uint64_t lowest_global = 1ull << 32;           // lowest global page mapped
    bool tagged = false;                           // user views: holds address space `cr3`
    uint32_t cr3 = 0;
    uint64_t last_used = 0;
  };
  bool writable_frame(const PhysMem::Backing& b, uint32_t paddr) const;
  bool install(View& v, uint32_t lin, uint32_t phys, bool writable, bool global, const PhysMem::Backing& b,
               uint32_t pde_addr, uint32_t pte_addr);
  // Tracing (linear_views_trace.cpp): a user view's mapping starts or stops depending on its
  // entries' frames.
  bool traceable(uint32_t pde_addr, uint32_t pte_addr) const;
  void trace(unsigned view, uint32_t lin, const Mapping& m);
  void untrace(const Mapping& m);
  void untrace_frame(uint32_t frame);
  void unmap_page(View& v, uint32_t lin_page);
  void park_pages(View& v, std::vector<uint32_t>& pages);
  void park_run(View& v, uint32_t lin, size_t n);
  void drop_parked();
  void park_all(View& v);
  void clear_view(View& v);
  void switch_user_view(uint32_t cr3);
  void revalidate(View& v);
  size_t mapped_total() const;

  GuestMmu& mmu_;
  PhysMem& mem_;
  std::vector<View> views_;  // [0] supervisor, [1..] user views of recent address spaces
  unsigned active_ = 1;      // the current address space's user view
  uint8_t* dead_ = nullptr;
  uint64_t clock_ = 0;       // for least-recently-used
  uint32_t current_cr3_ = 0; // the address space the active user view holds
  std::vector<uint32_t> all_scratch_;   // park_all()'s list, flush_non_global()'s kept pages
  std::vector<uint32_t> drop_scratch_;  // revalidate()'s and flush_non_global()'s working list (no allocation per CR3 load)
  std::unordered_map<uint32_t, std::vector<uint64_t>> writable_by_phys_;  // phys page -> view<<32|lin
  size_t budget_ = 20000;  // mappings before everything is dropped (vm.max_map_count is 65530)
  bool tracing_ = false;
  unsigned pt_holder_ = 0;  // our CodePages holder id
  // Traced frame -> entry index (0-1023) -> the user-view mappings that used that entry
  // (view << 32 | lin; stale ones skipped where used), and per frame how many live mappings
  // depend on it (one count per entry of a mapping's two that lies in it).
  std::unordered_map<uint32_t, std::unordered_map<uint16_t, std::vector<uint64_t>>> pt_deps_;
  std::unordered_map<uint32_t, uint32_t> pt_live_;
  LinearViewStats st_;
};

}  // namespace bt86
