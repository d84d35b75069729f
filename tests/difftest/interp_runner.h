// The bt86 side of the differential test: a Cpu on a small PhysMem in flat 32-bit protected
// mode at CPL 0 with paging on, mapping exactly the pages the native runner maps (code, data,
// low data; identity-mapped, everything else not present so stray accesses #PF as natively).
// Each case loads code + HLT, registers, flags, x87 state and data, runs until HLT or the first
// exception (stop_on_exception), and reports the final state in the native runner's format.
#pragma once
#include <memory>
#include <string>
#include "protocol.h"
#include "test_case.h"

namespace bt86 {
class Cpu;
class Engine;
class PhysMem;
class IoBus;
class VirtualClock;
}  // namespace bt86

namespace difftest {

class InterpRunner {
 public:
  explicit InterpRunner(const std::string& engine = "interpreter");  // or "translator"
  ~InterpRunner();
  dt_result run(const TestCase& tc);
  // Interpreter tracing to stderr (decoded blocks, executed blocks with registers, exceptions).
  void set_trace(bool on);

 private:
  void enter_flat_protected_mode();
  std::unique_ptr<bt86::PhysMem> mem_;
  std::unique_ptr<bt86::IoBus> io_;
  std::unique_ptr<bt86::VirtualClock> clock_;
  std::unique_ptr<bt86::Cpu> cpu_;
  std::unique_ptr<bt86::Engine> engine_;  // the Interpreter or the Translator over cpu_
};

}  // namespace difftest
