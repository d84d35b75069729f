// The contract between the machine loop and an execution engine (the interpreter, and the binary
// translator in src/translate/): Engine::run(budget) runs guest code over the shared CpuState until
// `budget` instructions have retired — never more, so two engines given the same budgets retire
// the same instructions — or the attention word asks for the machine (stop, halt, shutdown).
//
// Guest faults never unwind through generated code. Inside an engine, C++ that may raise a
// guest fault (a callout for a sensitive instruction, a slow memory path) runs under
// run_guarded(): a GuestFault is caught right there, on the C++ side of the callout, and left in
// CpuState::fault_vector/fault_error with attn::FAULT set; the callout returns false, the
// generated code leaves its block (guest state already at the faulting instruction, as every
// callout stores EIP and registers before it runs), and the run loop delivers the fault with
// Cpu::deliver_pending_fault(). The interpreter, which has no generated code, keeps C++ exceptions
// inside its own run loop. A host signal handler (the shadow MMU's SIGSEGV) will leave a fault the
// same way and redirect the signal context to the block's exit instead of unwinding.
// See docs/architecture.md.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include "cpu/cpu_state.h"
#include "cpu/exception.h"

namespace bt86 {

class Cpu;
struct Block;

// Counters an engine reports (-stats, monitor "info jit").
struct EngineStats {
  uint64_t blocks_made = 0;       // blocks decoded (interpreter) or translated
  uint64_t blocks_cached = 0;     // blocks in the cache now
  uint64_t block_execs = 0;       // blocks entered (chained or looked up)
  uint64_t links_made = 0;        // block-to-block links recorded
  uint64_t lookups = 0;           // successors found by a cache lookup rather than a link
  uint64_t invalidations = 0;     // blocks dropped (self-modifying code, loaders, resets)
  uint64_t one_off_blocks = 0;    // uncacheable blocks (Terminal::Fallback)
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual const char* name() const = 0;
  // Runs until `budget` instructions have retired (exactly, if nothing else stops it), the CPU
  // halts or shuts down, or attn::STOP is raised. Returns the instructions retired. No guest
  // fault escapes: faults are delivered to the guest inside.
  virtual uint64_t run(uint64_t budget) = 0;
  // As run(), but returns after the first block that retired instructions (interrupts waiting at
  // its start are taken first, as run() would). The lockstep harness steps the engine under test
  // with it, then runs the reference engine for as many instructions and compares.
  virtual uint64_t run_block(uint64_t budget) = 0;
  // The block run_block() / run() ran last (for divergence reports); null if none.
  virtual const Block* last_block() const = 0;
  virtual EngineStats stats() const = 0;
  // Extra lines about a block for divergence reports (the translator: its host code).
  virtual void describe_block(const Block&, FILE*) const {}
};

// Runs `fn` on behalf of generated code: a guest fault it raises is caught here and left in the
// state for the run loop (see the top of this file). Returns false if `fn` faulted. noexcept: any
// other exception (a host-side internal error) ends the process rather than unwind through
// machine code without unwind tables.
template <class F>
bool run_guarded(CpuState& s, F&& fn) noexcept {
  try {
    fn();
    return true;
  } catch (const GuestFault& f) {
    s.fault_vector = f.vector;
    s.fault_error = f.error;
    s.attention |= attn::FAULT;
    return false;
  }
}

}  // namespace bt86
