// Lockstep harness tests: the interpreter checked against itself with one instruction per block
// (no divergence over a program with loops, calls, stores and a fault), and a deliberately broken
// engine whose first wrong block is caught and reported with both states and its disassembly.
#include <doctest/doctest.h>
#include <cstdio>
#include <string>
#include "cpu/block.h"
#include "cpu/lockstep.h"
#include "cpu_fixture.h"

using namespace bt86;

namespace {

const char* kProgram = R"(
  mov ecx, 300
  xor eax, eax
  mov esi, 0x8000
again:
  add eax, ecx
  call mix
  mov [esi], eax
  add esi, 4
  and esi, 0x8FFF
  loop again
  mov edx, 0
  mov ebx, 7
  div ebx
  hlt
mix:
  rol eax, 3
  xor eax, 0x5A5A
  ret
)";

// An engine that runs an interpreter but corrupts EBX after its fifth block.
struct BrokenEngine final : Engine {
  Interpreter inner;
  Cpu& cpu;
  unsigned blocks = 0;
  explicit BrokenEngine(Cpu& c) : inner(c), cpu(c) {}
  const char* name() const override { return "broken"; }
  uint64_t run(uint64_t budget) override { return inner.run(budget); }
  uint64_t run_block(uint64_t budget) override {
    const uint64_t n = inner.run_block(budget);
    if (++blocks == 5) cpu.s.r[EBX] ^= 0x100;
    return n;
  }
  const Block* last_block() const override { return inner.last_block(); }
  EngineStats stats() const override { return inner.stats(); }
};

std::string read_all(FILE* f) {
  std::string s;
  std::rewind(f);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

// Two CPUs loaded with kProgram: `a` for the engine under test, `b` for the reference, an
// interpreter with one instruction per block; the report goes to a temporary file.
struct TwoMachines {
  CpuFixture a, b;
  Interpreter one_per_block{b.cpu, Interpreter::Policy{1}};
  FILE* report = std::tmpfile();
  TwoMachines() {
    REQUIRE(report);
    a.load_asm(kProgram);
    b.load_asm(kProgram);
  }
  ~TwoMachines() { std::fclose(report); }
};

}  // namespace

TEST_CASE("lockstep: whole blocks against one instruction per block agree") {
  TwoMachines m;
  CpuFixture& a = m.a;
  CpuFixture& b = m.b;
  Lockstep ls({a.engine, a.cpu}, {m.one_per_block, b.cpu}, m.report, 1000);
  const uint64_t n = ls.run(1'000'000);
  CHECK_FALSE(ls.diverged());
  CHECK(a.cpu.halted());
  CHECK(b.cpu.halted());
  CHECK(n == a.cpu.s.icount);
  CHECK(a.cpu.s.icount == b.cpu.s.icount);
  CHECK(ls.blocks_checked() > 300);  // at least one check per loop iteration
  CHECK(ls.check_ram());
  CHECK(read_all(m.report).empty());
}

TEST_CASE("lockstep: a wrong engine is caught at its first wrong block, with both states") {
  TwoMachines m;
  CpuFixture& a = m.a;
  BrokenEngine broken(a.cpu);
  Lockstep ls({broken, a.cpu}, {m.one_per_block, m.b.cpu}, m.report);
  ls.run(1'000'000);
  CHECK(ls.diverged());
  CHECK(ls.blocks_checked() == 5);
  CHECK_FALSE(a.cpu.halted());  // stopped at the divergence, not run on
  const std::string text = read_all(m.report);
  CHECK(text.find("DIVERGENCE after 5 checked blocks") != std::string::npos);
  CHECK(text.find("EBX") != std::string::npos);
  CHECK(text.find("broken") != std::string::npos);
  CHECK(text.find("one instruction per block") != std::string::npos);
  CHECK(text.find("terminal") != std::string::npos);
  CHECK(text.find("0x0000") != std::string::npos);  // Capstone lines of the block
}

TEST_CASE("lockstep: a RAM difference is reported") {
  TwoMachines m;
  Lockstep ls({m.a.engine, m.a.cpu}, {m.one_per_block, m.b.cpu}, m.report, 0);
  m.b.poke<uint8_t>(0x20000, 0x77);
  CHECK_FALSE(ls.check_ram());
  CHECK(read_all(m.report).find("RAM at physical 00020000: 00 != 77") != std::string::npos);
}

TEST_CASE("engine: run() never retires more than its budget, also in the middle of a block") {
  CpuFixture f;
  f.load_asm(kProgram);
  CHECK(f.engine.run(7) == 7);
  CHECK(f.cpu.s.icount == 7);
  CHECK(f.engine.run(1) == 1);
  CHECK(f.cpu.s.icount == 8);
}

TEST_CASE("engine: a fault raised under run_guarded waits in the state and is delivered by the run loop") {
  CpuFixture f;
  f.load_asm("nop\nhlt");
  const uint32_t eip = f.cpu.s.eip;
  const bool ok = run_guarded(f.cpu.s, [] { guest_fault(vec::GP, 0x18); });
  CHECK_FALSE(ok);
  CHECK((f.cpu.s.attention & attn::FAULT) != 0);
  CHECK(f.cpu.s.fault_vector == vec::GP);
  CHECK(f.cpu.s.fault_error == 0x18);
  CHECK(f.cpu.s.eip == eip);
  f.engine.run(10);
  CHECK(f.faulted(vec::GP));
  CHECK(f.cpu.last_exception.error == 0x18);
  CHECK((f.cpu.s.attention & attn::FAULT) == 0);
  CHECK(run_guarded(f.cpu.s, [] {}));
}
