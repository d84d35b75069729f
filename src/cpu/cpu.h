// The guest CPU: architectural state plus everything an instruction handler needs — segmented
// and paged memory access with a software TLB, stack helpers, operand access, port I/O, and the
// execution loop over cached decoded blocks (interpreter tier).
//
// Handler contract (see insn.h):
//  * On entry s.eip is the instruction's address and next_eip = eip + len (wrapped to 16 bits
//    for 16-bit code). Branches set next_eip (an offset in CS). After return, s.eip = next_eip.
//  * A handler changes no architectural state before its last possible fault: read and check
//    everything first, then commit (memory write, then registers/flags).
//  * Faults are reported with guest_fault(vector, error) (exception.h).
//  * A handler that changes mode, CS, paging, IF/TF or anything the block decoder assumed calls
//    end_block() so execution leaves the block after this instruction.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include "cpu/cpu_state.h"
#include "cpu/debug_breakpoints.h"
#include "cpu/exception.h"
#include "cpu/insn.h"
#include "cpu/perf_counters.h"
#include "devices/clock.h"
#include "devices/device.h"
#include "devices/io_bus.h"
#include "mmu/phys_mem.h"

namespace bt86 {

class BlockCache;
struct Block;

// What -d asked to trace, and where to.
struct TraceConfig {
  bool in_asm = false;  // each newly decoded block, disassembled (Capstone)
  bool cpu = false;     // register state before each executed block
  bool intr = false;    // every interrupt and exception delivered
  bool exec = false;    // each executed block's address
  bool unimp = false;   // guest accesses to absent hardware (unclaimed I/O ports), once per port
  FILE* out = stderr;
};

// Kinds of event that enter the guest through the IDT/IVT.
enum class IntKind : uint8_t {
  Exception,  // CPU-detected fault/trap/abort (may push an error code)
  Software,   // INT n (privilege-checked against gate DPL)
  Int3,       // INT3 (software, one byte; like Software but distinct for V86/IOPL rules)
  Into,       // INTO
  External,   // hardware interrupt from the PIC
  Icebp,      // INT1/ICEBP (0xF1)
};

struct CpuStats {
  uint64_t insns = 0;        // guest instructions retired
  uint64_t blocks_decoded = 0;
  uint64_t block_execs = 0;
  uint64_t exceptions = 0;
  uint64_t interrupts = 0;
  uint64_t smc_invalidations = 0;
  uint64_t tlb_flushes = 0;
};

enum class AccessType : uint8_t { Read = 0, Write = 1, Exec = 2 };

class Cpu {
 public:
  Cpu(PhysMem& mem, IoBus& io, VirtualClock& clock);
  ~Cpu();

  CpuState s;
  PhysMem& mem;
  IoBus& io;
  VirtualClock& clock;
  InterruptSource* intc = nullptr;  // external interrupt controller (PIC), may be null
  IrqLine ferr;  // FERR# pin: asserted for an x87 error reported with CR0.NE=0 (PC: IRQ13)
  TraceConfig trace;
  CpuStats stats;
  PerfCounters perf;  // P6 performance counters (perf_counters.cpp)

  // ---- execution -------------------------------------------------------------------------
  void reset();                         // power-on / RESET state (F000:FFF0)
  // Run until about `max_insns` instructions retired, the CPU halts, or stop() is called.
  // Returns the number of instructions retired.
  uint64_t run(uint64_t max_insns);
  void stop() { stop_requested_ = true; end_block_ = true; }
  bool halted() const { return halted_; }
  bool shutdown() const { return shutdown_; }  // triple fault happened
  void set_halted(bool h) {
    halted_ = h;
    perf.context_changed(*this, stats.insns);  // CPU_CLK_UNHALTED stops while halted
  }
  void request_shutdown() { shutdown_ = true; stop_requested_ = true; }  // triple fault

  // Test/diagnostic hook: when set, a guest exception stops run() instead of being delivered,
  // and is recorded in last_exception (state left at the faulting instruction).
  bool stop_on_exception = false;
  bool has_last_exception = false;
  GuestFault last_exception{};

  uint32_t next_eip = 0;
  void end_block() { end_block_ = true; }
  void inhibit_interrupts_once() { irq_shadow_ = true; end_block_ = true; }  // STI, MOV SS, POP SS
  // The interrupt controller raised INTR: leave the current block after this instruction so the
  // run loop can take it (instruction-boundary interrupt latency, as on hardware).
  void interrupt_window() { end_block_ = true; }

  // ---- segment helpers -------------------------------------------------------------------
  // Install a segment register value + descriptor cache (no checks: callers have done them).
  void set_seg(unsigned idx, const Segment& sg);
  // Real-mode / V86 style load: base = sel << 4, limit/attributes kept as on real hardware.
  void load_seg_real(unsigned idx, uint16_t sel);
  void set_cpl(uint8_t cpl);
  // Code/stack/address size in force.
  uint32_t ip_mask() const { return s.code32() ? 0xFFFFFFFFu : 0xFFFFu; }
  uint32_t sp_mask() const { return s.stack32() ? 0xFFFFFFFFu : 0xFFFFu; }

  // ---- memory ------------------------------------------------------------------------------
  // Effective offset of the instruction's memory operand.
  uint32_t ea(const Insn& i) const {
    uint32_t a = i.disp;
    if (i.base != GPR_NONE) a += s.r[i.base];
    if (i.index != GPR_NONE) a += s.r[i.index] << i.scale;
    return i.asize == 2 ? (a & 0xFFFF) : a;
  }

  // Segmented data accesses with limit/type checks (#GP(0), or #SS(0) for SS) and paging.
  // With alignment checking on (CR0.AM, EFLAGS.AC, CPL 3) a misaligned operand is #AC(0).
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
    uint32_t lin = seg_check(seg, off, sizeof(T), true);
    check_alignment(lin, sizeof(T));
    const TlbEntry& e = tlb_[user_access()][1][(lin >> 12) & (kTlbSize - 1)];
    if (__builtin_expect(e.tag == (lin & ~0xFFFu) && ((lin & 0xFFF) + sizeof(T)) <= 0x1000, 1)) {
      T v; std::memcpy(&v, reinterpret_cast<const uint8_t*>(e.addend + lin), sizeof(T)); return v;
    }
    return static_cast<T>(read_rmw_slow(lin, sizeof(T), user_access()));
  }
  // #AC(0) if alignment checking is on and `lin` is not a multiple of `align` (a power of two).
  void check_alignment(uint32_t lin, unsigned align) const {
    if (__builtin_expect(align_check_, 0) && (lin & (align - 1))) guest_fault(vec::AC, 0);
  }
  // Recomputes whether alignment checking is on; called wherever CR0.AM, EFLAGS.AC or CPL change.
  void update_align_check() { align_check_ = (s.cr0 & cr0::AM) && (s.eflags & fl::AC) && s.cpl == 3; }

  // Check that a write of `size` bytes would succeed (segment + paging), without writing.
  // Used by instructions that must fault before changing other state.
  void probe_write(unsigned seg, uint32_t off, unsigned size);
  void probe_read(unsigned seg, uint32_t off, unsigned size);
  // Byte images (the x87's operands and environments): alignment-checked as such images are.
  void read_bytes(unsigned seg, uint32_t off, void* dst, unsigned n);
  void write_bytes(unsigned seg, uint32_t off, const void* src, unsigned n);

  // Linear-address accesses. `user` selects user-mode page checks (CPL 3 data access).
  template <class T> T read_lin(uint32_t lin, bool user) {
    const TlbEntry& e = tlb_[user][0][(lin >> 12) & (kTlbSize - 1)];
    if (__builtin_expect(e.tag == (lin & ~0xFFFu) && ((lin & 0xFFF) + sizeof(T)) <= 0x1000, 1)) {
      T v; std::memcpy(&v, reinterpret_cast<const uint8_t*>(e.addend + lin), sizeof(T)); return v;
    }
    return static_cast<T>(read_lin_slow(lin, sizeof(T), user));
  }
  template <class T> void write_lin(uint32_t lin, T v, bool user) {
    const TlbEntry& e = tlb_[user][1][(lin >> 12) & (kTlbSize - 1)];
    if (__builtin_expect(e.tag == (lin & ~0xFFFu) && ((lin & 0xFFF) + sizeof(T)) <= 0x1000, 1)) {
      std::memcpy(reinterpret_cast<uint8_t*>(e.addend + lin), &v, sizeof(T)); return;
    }
    write_lin_slow(lin, static_cast<uint64_t>(v), sizeof(T), user);
  }
  // Implicit supervisor accesses (descriptor tables, TSS, IDT): page checks as CPL 0.
  template <class T> T read_sys(uint32_t lin) { return read_lin<T>(lin, false); }
  template <class T> void write_sys(uint32_t lin, T v) { write_lin<T>(lin, v, false); }

  // Linear -> physical translation with page-fault semantics (sets A/D bits as the access
  // would). Throws #PF on failure.
  uint32_t translate(uint32_t lin, AccessType type, bool user);
  void flush_tlb();                  // CR3 load, CR0/CR4 paging bit changes, A20 change
                                     // (also recomputes the segment-check caches, since CR0.PE
                                     // writes come through here)
  void flush_tlb_page(uint32_t lin); // INVLPG
  bool user_access() const { return s.cpl == 3; }

  // ---- stack -------------------------------------------------------------------------------
  template <class T> void push(T v) {
    uint32_t sp = (s.r[ESP] - sizeof(T)) & sp_mask();
    write<T>(SS, sp, v);
    set_esp(sp);
  }
  template <class T> T pop() {
    uint32_t sp = s.r[ESP] & sp_mask();
    T v = read<T>(SS, sp);
    set_esp(sp + sizeof(T));
    return v;
  }
  // Write ESP honouring the stack size (16-bit stacks change only SP).
  void set_esp(uint32_t v) {
    if (s.stack32()) s.r[ESP] = v; else s.r16(ESP) = uint16_t(v);
  }

  // ---- registers and generic operands --------------------------------------------------------
  uint32_t get_reg(unsigned r, unsigned size) const {
    if (size == 4) return s.r[r];
    if (size == 2) return s.r[r] & 0xFFFF;
    return (s.r[r & 3] >> ((r & 4) << 1)) & 0xFF;
  }
  void set_reg(unsigned r, unsigned size, uint32_t v) {
    if (size == 4) s.r[r] = v;
    else if (size == 2) s.r16(r) = uint16_t(v);
    else s.r8(r) = uint8_t(v);
  }
  // Operand n of kind Reg/Mem/Imm/Rel, zero-extended to 32 bits.
  uint32_t get_op(const Insn& i, unsigned n);
  void set_op(const Insn& i, unsigned n, uint32_t v);

  // ---- flags ---------------------------------------------------------------------------------
  bool flag(uint32_t f) const { return s.eflags & f; }
  void set_flag(uint32_t f, bool on) { s.eflags = on ? (s.eflags | f) : (s.eflags & ~f); }
  // Replace the six arithmetic flags with those in `host_flags`.
  void set_arith_flags(uint32_t host_flags) {
    s.eflags = (s.eflags & ~fl::ARITH) | (host_flags & fl::ARITH);
  }
  // Write EFLAGS as POPF/IRET would, changing only bits in `mask` (callers decide IF/IOPL/VM
  // rules); keeps bit 1 set and reserved bits clear; ends the block.
  void write_eflags(uint32_t value, uint32_t mask);

  // ---- I/O -----------------------------------------------------------------------------------
  // Protection check for IN/OUT/INS/OUTS (CPL > IOPL or V86: TSS I/O bitmap), #GP(0) if denied.
  void check_io(uint16_t port, unsigned size);
  uint32_t port_in(uint16_t port, unsigned size) {
    if (__builtin_expect(bp_.io_enabled, 0)) note_io_access(port, size);
    return io.in(port, size);
  }
  void port_out(uint16_t port, uint32_t v, unsigned size) {
    if (__builtin_expect(bp_.io_enabled, 0)) note_io_access(port, size);
    io.out(port, v, size);
  }

  // ---- debug registers (debug_step.cpp) -------------------------------------------------------
  // DR0-DR3, DR7 or CR4.DE changed: re-decode the breakpoints, flush the TLB (pages holding data
  // breakpoints are kept out of it), end the block.
  void debug_regs_changed();
  // A #DB trap with these DR6 bits, delivered before the next instruction (TSS T bit).
  void raise_debug_trap(uint32_t dr6_bits);
  // Instructions retired before `i`, which must be the instruction now executing.
  uint64_t retired_before(const Insn& i) const { return stats.insns + uint64_t(&i - block_insns_); }

  // ---- interrupts (implemented in cpu/interrupt.cpp) -----------------------------------------
  // Deliver vector through IVT (real mode) or IDT (protected/V86), handling privilege changes,
  // task gates, error codes, #DF escalation and triple fault. `return_eip` is the EIP pushed.
  void deliver(uint8_t vector, IntKind kind, int32_t error, uint32_t return_eip);

  uint64_t tsc() const { return clock.tsc() + s.msr.tsc_adjust; }

  // Segment check for a data access; returns the linear address. Public so string ops and the
  // x87 can use it for multi-byte operands.
  uint32_t seg_check(unsigned seg, uint32_t off, unsigned size, bool write) {
    const SegCache& c = segc_[seg];
    uint32_t last = off + size - 1;
    if (__builtin_expect(off >= c.lo && last <= c.hi && last >= off && (write ? c.w : c.r), 1))
      return c.base + off;
    return seg_check_slow(seg, off, size, write);
  }

  BlockCache& blocks() { return *blocks_; }
  // Instruction fetch: physical address and host pointer (nullptr for MMIO) of linear `lin`.
  const uint8_t* fetch_ptr(uint32_t lin, uint32_t* phys);
  // Called by memory writes that hit a page holding decoded code.
  void note_code_write(uint32_t paddr, unsigned size);

 private:
  static constexpr unsigned kTlbSize = 256;
  struct TlbEntry {
    uint32_t tag = 1;       // linear page address; 1 = invalid (never page-aligned)
    uint32_t phys = 0;      // physical page address (A20 applied)
    uintptr_t addend = 0;   // host pointer = addend + linear address
  };
  struct SegCache {
    uint32_t base = 0, lo = 0, hi = 0xFFFF;
    bool r = true, w = true;
  };

  uint64_t read_lin_slow(uint32_t lin, unsigned size, bool user);
  uint64_t read_rmw_slow(uint32_t lin, unsigned size, bool user);
  uint64_t read_translated(uint32_t lin, unsigned size, bool user, AccessType type);
  uint64_t read_translated_unwatched(uint32_t lin, unsigned size, bool user, AccessType type);
  void write_lin_slow(uint32_t lin, uint64_t v, unsigned size, bool user);
  void write_translated(uint32_t lin, uint64_t v, unsigned size, bool user);
  uint32_t seg_check_slow(unsigned seg, uint32_t off, unsigned size, bool write);
  void update_seg_cache(unsigned idx);
  void phys_write(uint32_t paddr, uint64_t v, unsigned size);
  uint64_t phys_read(uint32_t paddr, unsigned size);
  Block* current_block();
  void execute_block(Block& b);
  // Runs the first instruction of `b` alone, with the debug checks: pending traps, instruction
  // breakpoints, RF, single-step (TF), data and I/O breakpoint traps (debug_step.cpp).
  void debug_step(Block& b);
  void execute_one(const Insn& insn);
  void deliver_debug_trap(uint32_t dr6_bits);
  void update_debug_active() { debug_active_ = bp_.any_enabled() || db_pending_ || db_shadow_; }
  void note_data_access(uint32_t lin, unsigned size, bool write);
  void note_io_access(uint16_t port, unsigned size);
  Breakpoints bp_;            // DR7 decoded
  bool debug_active_ = false; // breakpoints enabled or a trap pending: run through debug_step
  uint8_t db_hits_ = 0;       // enabled breakpoints hit by the running instruction
  uint8_t db_matched_ = 0;    // all breakpoints whose condition it met (reported in DR6 B0-B3)
  uint32_t db_pending_ = 0;   // DR6 bits of a trap due before the next instruction
  bool db_shadow_ = false;    // MOV SS/POP SS ran: debug exceptions wait one more instruction
  uint32_t db_held_ = 0;      // DR6 bits of its trap, merged into the next instruction's
  bool align_check_ = false;  // CR0.AM && EFLAGS.AC && CPL 3
  const Insn* block_insns_ = nullptr;  // first instruction of the block executing
  Block* next_block(Block* prev);
  std::unique_ptr<Block> uncached_;  // the last block that could not be cached
  // Bumped whenever a chained successor might no longer be right: TLB flushes, CS or CPL
  // changes, block invalidation. Links carry the generation they were made in.
  uint64_t link_gen_ = 1;
  void fill_tlb(uint32_t lin, uint32_t paddr, AccessType type, bool user, bool pte_dirty);
  bool check_interrupts();
  void deliver_fault(const GuestFault& f);

  TlbEntry tlb_[2][2][kTlbSize];  // [user][write][index]
  SegCache segc_[6];
  std::unique_ptr<BlockCache> blocks_;
  bool end_block_ = false;
  bool irq_shadow_ = false;
  bool step_one_ = false;  // run a single instruction, then check interrupts (end of the STI shadow)
  bool halted_ = false;
  bool shutdown_ = false;
  bool stop_requested_ = false;
  int fault_depth_ = 0;  // nesting of exception delivery, for #DF / triple fault

  friend class BlockCache;
  friend struct CpuTestAccess;
};

}  // namespace bt86
