// The guest MMU every engine shares: segmentation checks (limits, types, expand-down, cached per
// segment register), alignment checks, the linear -> physical walk (page_walk.h) with #PF
// semantics, a software TLB (linear page -> host pointer, one set per privilege and per
// read/write), the slow paths (page crossings, MMIO, pages holding code, data breakpoints), A20
// (PhysMem applies it; a change flushes the TLB through PhysMem's map listeners) and code-page
// tracking (CodePages: stores to pages holding decoded or translated code reach
// note_code_write). It works on the shared CpuState: a TLB flush raises attn::MODE, a store that
// drops code raises attn::SMC. The shadow-page-table MMU (DESIGN.md §6) will replace the TLB
// probe of translated code; this walk stays the one paging implementation.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>
#include "cpu/cpu_state.h"
#include "cpu/debug_breakpoints.h"
#include "cpu/exception.h"
#include "mmu/code_pages.h"
#include "mmu/page_walk.h"
#include "mmu/phys_mem.h"

namespace bt86 {

enum class AccessType : uint8_t { Read = 0, Write = 1, Exec = 2 };

// Mirrors of guest linear memory outside the TLB (mmu/linear_views.h) hear of the TLB's flushes.
class ViewListener {
 public:
  virtual ~ViewListener() = default;
  virtual void flush_all() = 0;        // every mapping may have changed
  virtual void flush_non_global() = 0; // CR3 load: mappings of non-global pages
  virtual void flush_page(uint32_t lin) = 0;  // INVLPG
  virtual void code_page_added(uint32_t phys) = 0;  // no direct writes to this page any more
};

// A translation for a linear view: the page's physical address (A20 applied) and whether a
// write could go straight to it now (allowed, PTE dirty) and whether the page is global.
struct ViewTranslation {
  bool ok = false;
  uint32_t paddr = 0;
  bool writable = false;
  bool global = false;
  uint32_t pde_addr = 0, pte_addr = 0;  // the entries the walk read (PageWalk's; 0: paging off)
};

struct MmuStats {
  uint64_t tlb_flushes = 0;
  uint64_t smc_invalidations = 0;  // blocks dropped because guest stores hit them
};

class GuestMmu {
 public:
  GuestMmu(CpuState& s, PhysMem& mem);
  ~GuestMmu();
  GuestMmu(const GuestMmu&) = delete;
  GuestMmu& operator=(const GuestMmu&) = delete;

  // ---- segmentation ------------------------------------------------------------------------
  // Segment check for a data access; returns the linear address (#GP(0), or #SS(0) for SS).
  uint32_t seg_check(unsigned seg, uint32_t off, unsigned size, bool write) {
    const SegCache& c = segc_[seg];
    const uint32_t last = off + size - 1;
    if (__builtin_expect(off >= c.lo && last <= c.hi && last >= off && (write ? c.w : c.r), 1))
      return c.base + off;
    seg_fault(seg);
  }
  // Segment register `idx` (or the mode: PE, VM) changed: recompute its check.
  void update_seg_cache(unsigned idx);
  // #AC(0) if alignment checking is on and `lin` is not a multiple of `align` (a power of two).
  void check_alignment(uint32_t lin, unsigned align) const {
    if (__builtin_expect(align_check_, 0) && (lin & (align - 1))) guest_fault(vec::AC, 0);
  }
  // Recomputes whether alignment checking is on; called wherever CR0.AM, EFLAGS.AC or CPL change.
  void update_align_check() { align_check_ = s_.alignment_checked(); }
  bool user_access() const { return s_.cpl == 3; }

  // ---- segmented accesses ------------------------------------------------------------------
  template <class T> T read(unsigned seg, uint32_t off) {
    const uint32_t lin = seg_check(seg, off, sizeof(T), false);
    check_alignment(lin, sizeof(T));
    return read_lin<T>(lin, user_access());
  }
  template <class T> void write(unsigned seg, uint32_t off, T v) {
    const uint32_t lin = seg_check(seg, off, sizeof(T), true);
    check_alignment(lin, sizeof(T));
    write_lin<T>(lin, v, user_access());
  }
  // The read half of a read-modify-write instruction: checked and translated as a write, as the
  // hardware does (a not-present page faults with W=1 in the error code; a read-only segment or
  // page faults before the read).
  template <class T> T read_rmw(unsigned seg, uint32_t off) {
    const uint32_t lin = seg_check(seg, off, sizeof(T), true);
    check_alignment(lin, sizeof(T));
    const TlbEntry& e = tlb_[user_access()][1][(lin >> 12) & (kTlbSize - 1)];
    if (__builtin_expect(e.tag == (lin & ~0xFFFu) && ((lin & 0xFFF) + sizeof(T)) <= 0x1000, 1)) {
      T v; std::memcpy(&v, reinterpret_cast<const uint8_t*>(e.addend + lin), sizeof(T)); return v;
    }
    return static_cast<T>(read_translated(lin, sizeof(T), user_access(), AccessType::Write));
  }
  // Host pointer to `len` bytes at seg:off if the whole range is on one page that the TLB maps for
  // this access (so every byte could be accessed directly, without a fault, MMIO, code, data
  // breakpoint or alignment check), else null. Never faults: callers fall back to element-wise
  // accesses, which raise whatever fault is due at the right element. (REP MOVS/STOS in bulk.)
  uint8_t* direct_range(unsigned seg, uint32_t off, uint32_t len, bool write) {
    const SegCache& c = segc_[seg];
    const uint32_t last = off + len - 1;
    if (len == 0 || off < c.lo || last > c.hi || last < off || !(write ? c.w : c.r) || align_check_) return nullptr;
    const uint32_t lin = c.base + off;
    if ((lin & 0xFFF) + len > 0x1000) return nullptr;
    const TlbEntry& e = tlb_[user_access()][write ? kTlbWrite : kTlbRead][(lin >> 12) & (kTlbSize - 1)];
    if (e.tag != (lin & ~0xFFFu)) return nullptr;
    return reinterpret_cast<uint8_t*>(e.addend + lin);
  }
  // Check that an access of `size` bytes would succeed (segment + paging), without making it.
  void probe_write(unsigned seg, uint32_t off, unsigned size);
  void probe_read(unsigned seg, uint32_t off, unsigned size);
  // Byte images (the x87's operands and environments): alignment-checked as such images are.
  void read_bytes(unsigned seg, uint32_t off, void* dst, unsigned n);
  void write_bytes(unsigned seg, uint32_t off, const void* src, unsigned n);

  // ---- linear accesses (`user`: CPL 3 page checks) -------------------------------------------
  template <class T> T read_lin(uint32_t lin, bool user) {
    const TlbEntry& e = tlb_[user][0][(lin >> 12) & (kTlbSize - 1)];
    if (__builtin_expect(e.tag == (lin & ~0xFFFu) && ((lin & 0xFFF) + sizeof(T)) <= 0x1000, 1)) {
      T v; std::memcpy(&v, reinterpret_cast<const uint8_t*>(e.addend + lin), sizeof(T)); return v;
    }
    return static_cast<T>(read_translated(lin, sizeof(T), user, AccessType::Read));
  }
  template <class T> void write_lin(uint32_t lin, T v, bool user) {
    const TlbEntry& e = tlb_[user][1][(lin >> 12) & (kTlbSize - 1)];
    if (__builtin_expect(e.tag == (lin & ~0xFFFu) && ((lin & 0xFFF) + sizeof(T)) <= 0x1000, 1)) {
      std::memcpy(reinterpret_cast<uint8_t*>(e.addend + lin), &v, sizeof(T)); return;
    }
    write_lin_slow(lin, static_cast<uint64_t>(v), sizeof(T), user);
  }

  // Linear -> physical translation with page-fault semantics (sets A/D bits as the access
  // would; CR2 and #PF on failure). Fills the TLB.
  uint32_t translate(uint32_t lin, AccessType type, bool user);
  // The same without throwing: false with CR2 set and the #PF error code in *pf_error (callers
  // on hot paths where a C++ exception costs microseconds: raising it is theirs).
  bool try_translate(uint32_t lin, AccessType type, bool user, uint32_t* paddr, uint32_t* pf_error);
  // Instruction fetch: physical address and host pointer (nullptr for MMIO) of linear `lin`.
  const uint8_t* fetch_ptr(uint32_t lin, uint32_t* phys);
  bool try_fetch_ptr(uint32_t lin, uint32_t* phys, const uint8_t** host, uint32_t* pf_error);
  // The exec TLB of the current privilege holds lin's page.
  bool exec_tlb_holds(uint32_t lin) const {
    return tlb_[user_access()][kTlbExec][(lin >> 12) & (kTlbSize - 1)].tag == (lin & ~0xFFFu);
  }
  // CR3 load, CR0/CR4 paging bit changes, A20 or memory-map change: drops every TLB entry,
  // recomputes the segment and alignment checks (CR0.PE writes come through here), attn::MODE.
  void flush_tlb();
  void flush_tlb_page(uint32_t lin);  // INVLPG (attn::MODE)
  // A CR3 load: drops every entry but those of global pages (CR4.PGE), and so do linear views.
  void flush_tlb_cr3();
  // A page became a code page: no direct-write TLB entries may stay, so its stores reach
  // note_code_write.
  void drop_write_tlb();
  // A page now holds code (CodePages::mark said it is new): drop_write_tlb() and tell the views.
  void code_page_added(uint32_t paddr) {
    drop_write_tlb();
    if (views) views->code_page_added(paddr & ~0xFFFu);
  }
  // The walk for a linear view (sets A/D as an access of that kind would; no fault raised).
  ViewTranslation translate_for_view(uint32_t lin, bool write, bool user);
  // For an access of that kind: what translate_for_view would give, if getting it would change
  // nothing in guest memory (no A/D bit to set); false otherwise (peek_page_tables).
  bool peek_for_view(uint32_t lin, bool write, bool user, PageWalk* w) const;
  uint32_t cr3() const { return s_.cr3; }
  ViewListener* views = nullptr;
  // ---- code pages ----------------------------------------------------------------------------
  CodePages code_pages;
  // A write to a page holding code: the holders drop what the bytes overlap; attn::SMC if
  // anything was dropped (maybe the running block).
  void note_code_write(uint32_t paddr, unsigned size);

  // ---- data breakpoints ----------------------------------------------------------------------
  // The CPU's decoded DR7 (pages holding an enabled data breakpoint stay out of the TLB so their
  // accesses come to the slow path, which matches them). Hits of the running instruction
  // accumulate in bp_hits (enabled ones) and bp_matched (all whose condition was met).
  const Breakpoints* breakpoints = nullptr;
  uint8_t bp_hits = 0;
  uint8_t bp_matched = 0;

  MmuStats stats;
  // The TLB as translated code probes it inline (translate/): six sets of kTlbSize entries of
  // kTlbEntryBytes, set (user * 3 + kind: kTlbRead, kTlbWrite, kTlbExec — instruction fetches have
  // their own set, so data accesses never evict code pages); an entry holds the linear page tag (u32 at
  // kTlbTagOffset; 1 = invalid), the physical page (u32 at kTlbPhysOffset) and the host addend
  // (u64 at kTlbAddendOffset; host = addend + linear). Only pages without code get write entries.
  static constexpr unsigned kTlbSize = 1024;
  static constexpr unsigned kTlbRead = 0, kTlbWrite = 1, kTlbExec = 2, kTlbKinds = 3;
  static constexpr uint32_t kTlbGlobal = 1;  // in an entry's physical page field: a global page
  static constexpr unsigned kTlbEntryBytes = 16, kTlbTagOffset = 0, kTlbPhysOffset = 4, kTlbAddendOffset = 8;
  const void* tlb_base() const { return tlb_; }
  // Per segment register, for translated code's inline FS/GS accesses: the base, and bits 1
  // (reads) / 2 (writes) set when any offset is valid (expand-up, limit 4 GiB, usable); offsets
  // of both arrays from tlb_base().
  uint32_t seg_fast_base[6] = {};
  uint32_t seg_fast_ok[6] = {};
  // With linear views (mmu/linear_views.h): per [user][segment][write], the view translated code
  // accesses through that segment may use (the view of that privilege while the segment allows
  // the access at any offset, else a view that never maps: every access takes the slow path).
  uint8_t* seg_view[2][6][2] = {};
  // The views' bases ([0] supervisor, [1] user, [2] never mapped), set by LinearViews.
  uint8_t* view_base[3] = {};
  int32_t seg_fast_base_offset() const { return int32_t(reinterpret_cast<const char*>(seg_fast_base) - reinterpret_cast<const char*>(tlb_)); }
  int32_t seg_fast_ok_offset() const { return int32_t(reinterpret_cast<const char*>(seg_fast_ok) - reinterpret_cast<const char*>(tlb_)); }

 private:
  struct TlbEntry {
    uint32_t tag = 1;       // linear page address; 1 = invalid (never page-aligned)
    uint32_t phys = 0;      // physical page address (A20 applied)
    uintptr_t addend = 0;   // host pointer = addend + linear address
  };
  static_assert(sizeof(uintptr_t) == 8, "the TLB layout translated code probes");
  struct SegCache {
    uint32_t base = 0, lo = 0, hi = 0xFFFF;
    bool r = true, w = true;
  };

  [[noreturn]] void seg_fault(unsigned seg) const;
  uint64_t read_translated(uint32_t lin, unsigned size, bool user, AccessType type);
  uint64_t read_translated_unwatched(uint32_t lin, unsigned size, bool user, AccessType type);
  void write_lin_slow(uint32_t lin, uint64_t v, unsigned size, bool user);
  void write_translated(uint32_t lin, uint64_t v, unsigned size, bool user);
  void phys_write(uint32_t paddr, uint64_t v, unsigned size);
  uint64_t phys_read(uint32_t paddr, unsigned size);
  void fill_tlb(uint32_t lin, uint32_t paddr, AccessType type, bool user, bool pte_dirty, bool global = false);
  void note_data_access(uint32_t lin, unsigned size, bool write);
  bool watching() const { return breakpoints && breakpoints->data_enabled; }

  // The code epochs (CpuState::jit_code_epoch) change with every full TLB flush; a CR3 load
  // changes a privilege's epoch only if its exec TLB set has held a non-global page since the epoch
  // last changed (kernel code is global: its inline caches outlive context switches); an INVLPG
  // changes them only if its page is one the exec TLB has held since they last changed together
  // (an inline cache can only point at a block on such a page). new_code_epochs(), after a flush:
  // both change, and tracking starts again from what the exec TLB still holds.
  void new_code_epochs();
  void note_exec_page(uint32_t lin, bool user, bool global) {
    exec_nonglobal_[user] |= !global;
    const uint32_t page = lin >> 12;
    uint64_t& word = exec_pages_bits_[page >> 6];
    const uint64_t bit = 1ull << (page & 63);
    if (word & bit) return;
    word |= bit;
    exec_pages_.push_back(page);
  }

  CpuState& s_;
  PhysMem& mem_;
  // Linear pages the exec TLB has held since the epochs last changed together, and whether each
  // set has held a non-global page since its epoch changed (see new_code_epochs).
  std::vector<uint32_t> exec_pages_;
  std::vector<uint64_t> exec_pages_bits_ = std::vector<uint64_t>((1u << 20) / 64);
  bool exec_nonglobal_[2] = {};
  // The TLB slots filled with a non-global page since the last flush (user << 15 | kind << 13 |
  // index; stale ones too): what a CR3 load clears, instead of looking at every slot. Past
  // kNonGlobalLog of them it looks at every slot again.
  static constexpr size_t kNonGlobalLog = 2048;
  static_assert(kTlbSize <= (1u << 13), "slot encoding");
  std::vector<uint16_t> nonglobal_slots_;
  bool nonglobal_overflow_ = false;
  bool align_check_ = false;  // CR0.AM && EFLAGS.AC && CPL 3
  TlbEntry tlb_[2][3][kTlbSize];  // [user][kTlbRead / kTlbWrite / kTlbExec][index]
  SegCache segc_[6];
};

}  // namespace bt86
