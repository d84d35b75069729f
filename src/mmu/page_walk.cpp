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
  uint32_t pde_addr = (cr3v & 0xFFFFF000u) | ((lin >> 20) & 0xFFC);
  uint32_t pde = read_entry(mem, pde_addr);
  if (!(pde & kP)) {
    w.error = access_bits;
    return w;
  }
  if ((pde & kPS) && (cr4v & cr4::PSE)) {
    bool rw = pde & kRW, us = pde & kUS;
    if (!allowed(rw, us, write, user, wp)) {
      w.error = access_bits | pf_err::P;
      return w;
    }
    set_bits(mem, pde_addr, pde, kA | (write ? kD : 0));
    w.ok = true;
    w.paddr = (pde & 0xFFC00000u) | (lin & 0x3FFFFF);
    w.global = (pde & kG) && (cr4v & cr4::PGE);
    w.writable = allowed(rw, us, true, user, wp);
    w.dirty = write || (pde & kD);
    return w;
  }
  uint32_t pte_addr = (pde & 0xFFFFF000u) | ((lin >> 10) & 0xFFC);
  uint32_t pte = read_entry(mem, pte_addr);
  if (!(pte & kP)) {
    w.error = access_bits;
    return w;
  }
  bool rw = (pde & kRW) && (pte & kRW);
  bool us = (pde & kUS) && (pte & kUS);
  if (!allowed(rw, us, write, user, wp)) {
    w.error = access_bits | pf_err::P;
    return w;
  }
  set_bits(mem, pde_addr, pde, kA);
  set_bits(mem, pte_addr, pte, kA | (write ? kD : 0));
  w.ok = true;
  w.paddr = (pte & 0xFFFFF000u) | (lin & 0xFFF);
  w.global = (pte & kG) && (cr4v & cr4::PGE);
  w.writable = allowed(rw, us, true, user, wp);
  w.dirty = write || (pte & kD);
  return w;
}

}  // namespace bt86
