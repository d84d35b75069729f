// Lockstep: an engine under test checked against a reference engine, each running its own copy of
// the machine from the same start (identical options, deterministic time: -icount). Lockstep is
// itself an Engine, so the machine loop drives it like any other: it steps the engine under test
// one block at a time (Engine::run_block), runs the reference for exactly as many instructions
// (Engine::run), and compares the two CPU states at that boundary (and all of guest RAM every
// so many instructions). A block that ends in a fault is compared one step later (see
// realignments()). The first divergence stops the run and prints both states, the fields
// that differ and the block's guest disassembly (Capstone). The translator issue plugs the
// translator in as the engine under test and the interpreter as the reference, unchanged.
#pragma once
#include <cstdio>
#include <string>
#include <vector>
#include "cpu/cpu_state.h"
#include "cpu/engine.h"

namespace bt86 {

class Cpu;
class PhysMem;

// "EAX 00000001 != 00000002"-style lines for every architectural field that differs.
std::vector<std::string> state_differences(const CpuState& test, const CpuState& ref);

class Lockstep final : public Engine {
 public:
  struct Side {
    Engine& engine;
    Cpu& cpu;
  };
  // Reports go to `report`. RAM is compared every `ram_check_insns` instructions retired (0: never
  // during the run; check_ram() compares on demand).
  Lockstep(Side test, Side ref, FILE* report, uint64_t ram_check_insns = 50'000'000);

  const char* name() const override { return name_.c_str(); }
  uint64_t run(uint64_t budget) override;
  uint64_t run_block(uint64_t budget) override;
  const Block* last_block() const override { return test_.engine.last_block(); }
  EngineStats stats() const override { return test_.engine.stats(); }

  bool diverged() const { return diverged_; }
  uint64_t blocks_checked() const { return blocks_checked_; }
  // Steps compared one step later because the engine under test delivered a fault raised in the
  // middle of its block, which the reference (stopped after as many retired instructions) raises
  // at the start of its next step.
  uint64_t realignments() const { return realignments_; }
  // Compares all guest RAM now; reports and returns false on a difference.
  bool check_ram();

 private:
  void report_divergence(const std::vector<std::string>& diffs, uint64_t test_n, uint64_t ref_n);

  Side test_, ref_;
  FILE* report_;
  uint64_t ram_check_insns_;
  uint64_t next_ram_check_;
  std::string name_;
  bool diverged_ = false;
  bool realigning_ = false;   // the last step ended in a fault only the test engine delivered
  uint64_t blocks_checked_ = 0;
  uint64_t realignments_ = 0;
};

}  // namespace bt86
