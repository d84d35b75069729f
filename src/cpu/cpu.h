// The guest CPU: the shared state (CpuState) plus everything an instruction handler needs —
// segmented and paged memory access with a software TLB, code-page tracking, stack helpers,
// operand access, port I/O, interrupt and exception delivery. Engines (engine.h: the interpreter,
// the translator) run guest code over it; Cpu::run_insns is the interpreter's inner loop.
//
// Handler contract (see insn.h):
//  * On entry s.eip is the instruction's address and next_eip = eip + len (wrapped to 16 bits
//    for 16-bit code). Branches set next_eip (an offset in CS). After return, s.eip = next_eip.
//  * A handler changes no architectural state before its last possible fault: read and check
//    everything first, then commit (memory write, then registers/flags).
//  * Faults are reported with guest_fault(vector, error) (exception.h).
//  * A handler that changes mode, CS, paging, IF/TF or anything the block decoder assumed calls
//    end_block() (attn::MODE) so execution leaves the block after this instruction.
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
#include "mmu/guest_mmu.h"
#include "mmu/phys_mem.h"

namespace bt86 {

// What -d asked to trace, and where to.
struct TraceConfig {
  bool in_asm = false;  // each newly decoded block, disassembled (Capstone)
  bool out_asm = false; // each newly translated block's host code (Capstone)
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
  uint64_t exceptions = 0;
  uint64_t interrupts = 0;
};

class Cpu {
 public:
  Cpu(PhysMem& mem, IoBus& io, VirtualClock& clock);
  ~Cpu();

  CpuState s;
  PhysMem& mem;
  GuestMmu mmu;  // segmentation, paging, TLB, code pages: shared by every engine
  IoBus& io;
  VirtualClock& clock;
  InterruptSource* intc = nullptr;  // external interrupt controller (PIC), may be null
  IrqLine ferr;  // FERR# pin: asserted for an x87 error reported with CR0.NE=0 (PC: IRQ13)
  TraceConfig trace;
  CpuStats stats;
  PerfCounters perf;  // P6 performance counters (perf_counters.cpp)

  // ---- execution -------------------------------------------------------------------------
  void reset();                         // power-on / RESET state (F000:FFF0)
  // Runs handlers of [begin, end) in order, each instruction retired counted in s.icount,
  // leaving after the instruction that raised any attention bit. Guest faults propagate as
  // GuestFault (state at the faulting instruction).
  void run_insns(const Insn* begin, const Insn* end) {
    const uint32_t mask = ip_mask();
    for (const Insn* i = begin; i != end;) {
      next_eip = (s.eip + i->len) & mask;
      i->fn(*this, *i);
      s.eip = next_eip;
      ++s.icount;
      ++i;
      if (s.attention) break;
    }
  }
  // The machine wants control back: the engine returns after the current instruction.
  void stop() { s.attention |= attn::STOP; }
  bool halted() const { return s.attention & attn::HALT; }
  bool shutdown() const { return s.attention & attn::SHUTDOWN; }  // triple fault happened
  void set_halted(bool h) {
    if (h) s.attention |= attn::HALT; else s.attention &= ~attn::HALT;
    perf.context_changed(*this, s.icount, h);  // CPU_CLK_UNHALTED stops while halted
  }
  void request_shutdown() { s.attention |= attn::SHUTDOWN | attn::STOP; }  // triple fault

  // Test/diagnostic hook: when set, a guest exception stops the engine instead of being
  // delivered, and is recorded in last_exception (state left at the faulting instruction).
  bool stop_on_exception = false;
  bool has_last_exception = false;
  GuestFault last_exception{};

  uint32_t next_eip = 0;
  void end_block() { s.attention |= attn::MODE; }
  // The guest x87 state back from the host FPU if translated code left it there (see
  // CpuState::jit_x87_resident): before anything reads or changes s.fpu, CR0.TS/EM or the mode.
  void sync_fpu() {
    if (s.jit_x87_resident) sync_fpu_slow();
  }
  void inhibit_interrupts_once() { s.attention |= attn::IRQ_SHADOW; }  // STI, MOV SS, POP SS
  // The interrupt controller raised INTR: leave the current block after this instruction so the
  // run loop can take it (instruction-boundary interrupt latency, as on hardware).
  void interrupt_window() { s.attention |= attn::IRQ_WINDOW; }

  // Run-loop services every engine uses (cpu.cpp): take a waiting external interrupt at this
  // boundary (honouring the STI/MOV SS shadow; returns true if one was delivered), deliver a
  // guest fault caught by the engine, or the one a callout left in the state (attn::FAULT).
  bool check_interrupts();
  void deliver_fault(const GuestFault& f);
  void deliver_pending_fault();
  // Breakpoints enabled or a debug trap pending: the engine must run through debug_step.
  bool debug_active() const { return debug_active_; }
  // Runs `insn` (s.eip names it) alone with the debug checks: pending traps, instruction
  // breakpoints, RF, single-step (TF), data and I/O breakpoint traps (debug_step.cpp).
  void debug_step(const Insn& insn);

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

  // Memory goes through the guest MMU (mmu/guest_mmu.h); these forward to it. Segmented data
  // accesses check limits and types (#GP(0), or #SS(0) for SS), alignment (#AC(0) with CR0.AM,
  // EFLAGS.AC at CPL 3) and pages (#PF).
  template <class T> T read(unsigned seg, uint32_t off) { return mmu.read<T>(seg, off); }
  template <class T> void write(unsigned seg, uint32_t off, T v) { mmu.write<T>(seg, off, v); }
  template <class T> T read_rmw(unsigned seg, uint32_t off) { return mmu.read_rmw<T>(seg, off); }
  void check_alignment(uint32_t lin, unsigned align) const { mmu.check_alignment(lin, align); }
  void update_align_check() { mmu.update_align_check(); }
  void probe_write(unsigned seg, uint32_t off, unsigned size) { mmu.probe_write(seg, off, size); }
  void probe_read(unsigned seg, uint32_t off, unsigned size) { mmu.probe_read(seg, off, size); }
  void read_bytes(unsigned seg, uint32_t off, void* dst, unsigned n) { mmu.read_bytes(seg, off, dst, n); }
  void write_bytes(unsigned seg, uint32_t off, const void* src, unsigned n) { mmu.write_bytes(seg, off, src, n); }
  template <class T> T read_lin(uint32_t lin, bool user) { return mmu.read_lin<T>(lin, user); }
  template <class T> void write_lin(uint32_t lin, T v, bool user) { mmu.write_lin<T>(lin, v, user); }
  // Implicit supervisor accesses (descriptor tables, TSS, IDT): page checks as CPL 0.
  template <class T> T read_sys(uint32_t lin) { return mmu.read_lin<T>(lin, false); }
  template <class T> void write_sys(uint32_t lin, T v) { mmu.write_lin<T>(lin, v, false); }
  uint32_t translate(uint32_t lin, AccessType type, bool user) { return mmu.translate(lin, type, user); }
  void flush_tlb() { mmu.flush_tlb(); }
  void flush_tlb_cr3() { mmu.flush_tlb_cr3(); }  // a CR3 load (global pages may stay in views)
  void flush_tlb_page(uint32_t lin) { mmu.flush_tlb_page(lin); }
  bool user_access() const { return mmu.user_access(); }
  uint32_t seg_check(unsigned seg, uint32_t off, unsigned size, bool write) {
    return mmu.seg_check(seg, off, size, write);
  }
  const uint8_t* fetch_ptr(uint32_t lin, uint32_t* phys) { return mmu.fetch_ptr(lin, phys); }

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
  // Instructions retired before the one now executing.
  uint64_t retired_before(const Insn&) const { return s.icount; }

  // ---- interrupts (implemented in cpu/interrupt.cpp) -----------------------------------------
  // Deliver vector through IVT (real mode) or IDT (protected/V86), handling privilege changes,
  // task gates, error codes, #DF escalation and triple fault. `return_eip` is the EIP pushed.
  void deliver(uint8_t vector, IntKind kind, int32_t error, uint32_t return_eip);

  uint64_t tsc() const { return clock.tsc() + s.msr.tsc_adjust; }

 private:
  void sync_fpu_slow();
  void execute_one(const Insn& insn);
  void deliver_debug_trap(uint32_t dr6_bits);
  void update_debug_active() { debug_active_ = bp_.any_enabled() || db_pending_ || db_shadow_; }
  void note_io_access(uint16_t port, unsigned size);
  Breakpoints bp_;            // DR7 decoded
  bool debug_active_ = false; // breakpoints enabled or a trap pending: run through debug_step
  uint32_t db_pending_ = 0;   // DR6 bits of a trap due before the next instruction
  bool db_shadow_ = false;    // MOV SS/POP SS ran: debug exceptions wait one more instruction
  uint32_t db_held_ = 0;      // DR6 bits of its trap, merged into the next instruction's
  int fault_depth_ = 0;  // nesting of exception delivery, for #DF / triple fault

};

}  // namespace bt86
