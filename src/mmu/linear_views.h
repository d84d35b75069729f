// Guest linear memory mirrored in host virtual memory for translated code (DESIGN.md §6, the
// first step of the shadow-page-table MMU): two 4 GiB host reservations, one for supervisor and
// one for user accesses, where guest linear page L is mapped (mmap of PhysMem's memfd) at
// base + L once an access has faulted on it, with the protection the guest's page tables give
// (read-only until the PTE's dirty bit is set, read-only while the page holds decoded code, not at
// all for MMIO). Translated code then reaches memory with one instruction, `op [base + lin]`;
// a host fault (SIGSEGV) on an unmapped or protected page either maps it and retries, or sends the
// guest instruction to its slow path (the interpreter raises the #PF, does the MMIO or the store
// into code). Flushes follow the TLB's: CR3 loads drop the non-global mappings, INVLPG one page,
// CR0/CR4/A20/memory-map changes everything. See docs/translator.md.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>
#include "mmu/guest_mmu.h"

namespace bt86 {

struct LinearViewStats {
  uint64_t faults = 0;          // host faults in the views
  uint64_t pages_mapped = 0;    // mmap calls that mapped a page
  uint64_t to_slow_path = 0;    // faults the guest instruction's slow path takes over
  uint64_t flushes = 0;         // everything dropped
  uint64_t cr3_flushes = 0;     // non-global mappings dropped (CR3 loads)
  uint64_t page_flushes = 0;    // INVLPG
  uint64_t evictions = 0;       // flushes because the mapping budget ran out
  uint64_t write_protects = 0;  // pages made read-only because they now hold code
};

class LinearViews final : public ViewListener {
 public:
  static constexpr uint64_t kViewBytes = (1ull << 32) + (1u << 16);  // 4 GiB + a guard
  LinearViews(GuestMmu& mmu, PhysMem& mem);
  ~LinearViews() override;
  LinearViews(const LinearViews&) = delete;
  LinearViews& operator=(const LinearViews&) = delete;

  uint8_t* base(bool user) const { return base_[user]; }  // 4 GiB-aligned
  // A reservation that never maps anything: translated code uses it for a segment whose limit or
  // type needs a check, so that every access through it takes the slow path.
  uint8_t* dead_base() const { return base_[2]; }
  // Which view (0 supervisor, 1 user, 2 dead) holds host address p, or -1.
  int view_of(const void* p) const;
  // A translated access faulted at host address p in a view: maps the page if the guest allows
  // the access right now (setting A/D bits as the access would) and returns true (retry), or
  // returns false (the slow path must run the instruction).
  bool handle_fault(const void* p, bool write);

  // ViewListener (GuestMmu): TLB flush events and pages that now hold code.
  void flush_all() override;
  void flush_non_global() override;
  void flush_page(uint32_t lin) override;
  void code_page_added(uint32_t phys) override;

  const LinearViewStats& stats() const { return st_; }

 private:
  struct Mapping {
    uint32_t phys;
    bool writable;
    bool global;
  };
  void unmap_page(unsigned view, uint32_t lin_page);

  GuestMmu& mmu_;
  PhysMem& mem_;
  uint8_t* base_[3] = {};
  std::unordered_map<uint32_t, Mapping> mapped_[2];          // lin page -> mapping, per view
  std::vector<uint32_t> non_global_[2];  // mapped non-global pages (maybe stale), per view
  uint64_t lowest_global_[2] = {1ull << 32, 1ull << 32};  // lowest global page mapped
  std::unordered_map<uint32_t, std::vector<uint64_t>> writable_by_phys_;  // phys page -> view<<32|lin
  size_t budget_ = 20000;  // mappings before everything is dropped (vm.max_map_count is 65530)
  LinearViewStats st_;
};

}  // namespace bt86
