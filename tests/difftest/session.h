// One differential-testing run: generates cases in batches, runs each batch natively (one round
// trip to the runner) and on the interpreter, compares, and for each divergence finds the
// shortest diverging prefix of the sequence (so the culprit is its last instruction), prints a
// report for the first few, and summarises divergences by culprit instruction at the end.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include "generator.h"
#include "interp_runner.h"
#include "native_oracle.h"

namespace difftest {

struct SessionOptions {
  uint64_t seed = 1;
  uint64_t first = 0;            // index of the first case
  uint64_t count = 100000;
  size_t prefix = 0;             // run only the first `prefix` instructions of each case (0: all)
  unsigned batch = 512;
  unsigned max_reports = 5;      // detailed divergence reports printed
  bool minimize = true;
  bool verbose = false;          // print every case (disassembly and outcome)
  bool trace = false;            // interpreter trace to stderr
  std::string replay_args;       // generator options to repeat in the replay command line
  std::string engine = "interpreter";  // the bt86 engine under test: interpreter or translator
};

struct SessionResult {
  uint64_t passed = 0, failed = 0;
};

class Session {
 public:
  Session(NativeOracle& oracle, const GeneratorOptions& gen, const SessionOptions& opt)
      : oracle_(oracle), interp_(opt.engine), gen_(gen), opt_(opt) {
    interp_.set_trace(opt.trace);
  }
  SessionResult run();

 private:
  struct Culprit {
    uint64_t count = 0;
    std::string example;  // "seed:index  instruction"
  };
  // Returns true if the case diverges; reports it.
  bool check(const TestCase& tc, const dt_result& native);
  // Shortest prefix of tc that still diverges.
  TestCase shortest_diverging_prefix(const TestCase& tc);
  std::string replay_command(const TestCase& tc) const;
  void print_summary() const;

  NativeOracle& oracle_;
  InterpRunner interp_;
  GeneratorOptions gen_;
  SessionOptions opt_;
  SessionResult result_;
  unsigned reports_ = 0;
  std::map<std::string, Culprit> culprits_;  // by culprit mnemonic
};

// Disassembly text (Zydis, Intel syntax) of the instruction at `offset` in the test's code.
std::string instruction_text(const TestCase& tc, size_t insn_index);

}  // namespace difftest
