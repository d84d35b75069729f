// IA-32 non-PAE page walk. See page_walk.h.
#include "mmu/page_walk.h"
#include "cpu/cpu_state.h"

namespace bt86 {

namespace {
constexpr uint32_t kP = 1, kRW = 2, kUS = 4, kA = 0x20, kD = 0x40, kPS = 0x80, kG = 0x100;

uint32_t read_entry(PhysMem& mem, uint32_t addr) { return mem.read(addr, 4); }

void set_bits(PhysMem& mem, uint32_t addr, uint32_t entry, uint32_t bits) {
  if ((entry & bits) != bits) mem.write(addr, entry | bits, 4);
}

// Whether the combined permissions allow the access.
bool allowed(bool rw, bool us, bool write, bool user, bool wp) {
  if (user) return us && (!write || rw);
  return !write || rw || !wp;
}
}  // namespace

PageWalk walk_page_tables(PhysMem& mem, uint32_t cr0v, uint32_t cr3v, uint32_t cr4v, uint32_t lin,
                          bool write, bool user) {
  PageWalk w;
  const uint32_t access_bits = (write ? pf_err::W : 0) | (user ? pf_err::U : 0);
  const bool wp = cr0v & cr0::WP;
  // Checks the combined permissions; on success sets A (and D on writes) in the final entry and
  // describes the page. `leaf` is the entry mapping the page (PTE, or a 4 MiB PDE).
  auto finish = [&](bool rw, bool us, uint32_t leaf_addr, uint32_t leaf, uint32_t paddr) {
    if (!allowed(rw, us, write, user, wp)) {
      w.error = access_bits | pf_err::P;
      return false;
    }
    set_bits(mem, leaf_addr, leaf, kA | (write ? kD : 0));
    w.ok = true;
    w.paddr = paddr;
    w.global = (leaf & kG) && (cr4v & cr4::PGE);
    w.writable = allowed(rw, us, true, user, wp);
    w.dirty = write || (leaf & kD);
    return true;
  };

  const uint32_t pde_addr = (cr3v & 0xFFFFF000u) | ((lin >> 20) & 0xFFC);
  const uint32_t pde = read_entry(mem, pde_addr);
  if (!(pde & kP)) {
    w.error = access_bits;
    return w;
  }
  w.pde_addr = pde_addr;
  if ((pde & kPS) && (cr4v & cr4::PSE)) {
    finish(pde & kRW, pde & kUS, pde_addr, pde, (pde & 0xFFC00000u) | (lin & 0x3FFFFF));
    return w;
  }
  const uint32_t pte_addr = (pde & 0xFFFFF000u) | ((lin >> 10) & 0xFFC);
  const uint32_t pte = read_entry(mem, pte_addr);
  w.pte_addr = pte_addr;
  if (!(pte & kP)) {
    w.error = access_bits;
    return w;
  }
  const bool rw = (pde & kRW) && (pte & kRW);
  const bool us = (pde & kUS) && (pte & kUS);
  if (finish(rw, us, pte_addr, pte, (pte & 0xFFFFF000u) | (lin & 0xFFF))) set_bits(mem, pde_addr, pde, kA);
  return w;
}

bool peek_page_tables(PhysMem& mem, uint32_t cr0v, uint32_t cr3v, uint32_t cr4v, uint32_t lin, bool write, bool user,
                      PageWalk* out) {
  const bool wp = cr0v & cr0::WP;
  const uint32_t pde_addr = (cr3v & 0xFFFFF000u) | ((lin >> 20) & 0xFFC);
  const uint32_t pde = read_entry(mem, pde_addr);
  if (!(pde & kP) || !(pde & kA)) return false;
  uint32_t leaf = pde, paddr, pte_addr = 0;
  bool rw = pde & kRW, us = pde & kUS;
  if ((pde & kPS) && (cr4v & cr4::PSE)) {
    paddr = (pde & 0xFFC00000u) | (lin & 0x3FFFFF);
  } else {
    pte_addr = (pde & 0xFFFFF000u) | ((lin >> 10) & 0xFFC);
    leaf = read_entry(mem, pte_addr);
    if (!(leaf & kP) || !(leaf & kA)) return false;
    rw = rw && (leaf & kRW);
    us = us && (leaf & kUS);
    paddr = (leaf & 0xFFFFF000u) | (lin & 0xFFF);
  }
  if (!allowed(rw, us, write, user, wp) || (write && !(leaf & kD))) return false;
  out->ok = true;
  out->paddr = paddr;
  out->global = (leaf & kG) && (cr4v & cr4::PGE);
  out->writable = allowed(rw, us, true, user, wp);
  out->dirty = leaf & kD;
  out->pde_addr = pde_addr;
  out->pte_addr = pte_addr;
  return true;
}

}  // namespace bt86
