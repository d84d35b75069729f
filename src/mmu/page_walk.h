// The guest's two-level IA-32 page-table walk (4 KiB pages and CR4.PSE 4 MiB pages, CR0.WP),
// shared by the interpreter's TLB fill and, later, the shadow MMU. Sets the accessed bit in the
// entries it uses and the dirty bit for writes, as the hardware walker does.
#pragma once
#include <cstdint>
#include "mmu/phys_mem.h"

namespace bt86 {

struct PageWalk {
  bool ok = false;
  uint32_t paddr = 0;      // translated physical address (valid when ok)
  uint32_t error = 0;      // #PF error code (valid when !ok): P, W/R, U/S bits
  bool global = false;     // G bit of the final entry (for PGE-aware TLBs)
  bool writable = false;   // whether a write at the same privilege would be allowed
  bool dirty = false;      // the final entry's D bit after this walk
  uint32_t pde_addr = 0;   // physical addresses of the entries the walk read (when ok; pte_addr
  uint32_t pte_addr = 0;   // 0 for a 4 MiB page): what page-table write tracing watches
};

namespace pf_err {
constexpr uint32_t P = 1, W = 2, U = 4, RSVD = 8;
}

PageWalk walk_page_tables(PhysMem& mem, uint32_t cr0, uint32_t cr3, uint32_t cr4, uint32_t lin,
                          bool write, bool user);

// The walk a TLB refill would do for such an access, changing nothing: true (paddr, global,
// writable filled as above) only if the access is allowed and every accessed bit it needs is set
// already — and for a write the dirty bit — so that the walk itself would write nothing. A page
// that passes may stay mapped as it was (linear_views.cpp: revalidating an address space's
// mappings when its CR3 comes back).
bool peek_page_tables(PhysMem& mem, uint32_t cr0, uint32_t cr3, uint32_t cr4, uint32_t lin, bool write, bool user,
                      PageWalk* out);

}  // namespace bt86
