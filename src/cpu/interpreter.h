// The interpreter engine (tier 0): the reference for guest semantics and the fallback of the
// translator. It decodes guest code into cached blocks of Insns (block_decoder.h), runs each
// instruction's handler through Cpu::run_insns, and follows links between blocks. Its block
// policy is a parameter: the lockstep harness runs one instance with one instruction per block
// against another with whole blocks.
#pragma once
#include <unordered_map>
#include <memory>
#include "cpu/block_cache.h"
#include "cpu/engine.h"

namespace bt86 {

class Interpreter final : public Engine {
 public:
  struct Policy {
    unsigned max_block_insns = 64;  // 1: every instruction is its own block
  };
  explicit Interpreter(Cpu& cpu) : Interpreter(cpu, Policy{}) {}
  Interpreter(Cpu& cpu, Policy policy);
  ~Interpreter() override;

  const char* name() const override;
  uint64_t run(uint64_t budget) override { return run_loop(budget, false); }
  uint64_t run_block(uint64_t budget) override { return run_loop(budget, true); }
  const Block* last_block() const override { return last_; }
  EngineStats stats() const override;
  BlockCache& cache() { return cache_; }
  // The end of an interrupt shadow with an interrupt waiting (attn::STEP, raised by the caller's
  // check_interrupts): runs exactly the one instruction at CS:EIP, delivering a fault it raises.
  // For an engine that delegates this step here (the translator).
  void step_after_shadow();

 private:
  uint64_t run_loop(uint64_t budget, bool one_block);
  Block* lookup();                 // the block at CS:EIP (decoded on a miss)
  Block* next_block(Block* prev);  // prev's linked successor for EIP, else lookup() + link
  bool decode(uint32_t lin, const uint8_t* host_page, Block& b);
  void execute(Block& b, uint64_t limit);

  Cpu& cpu_;
  Policy policy_;
  BlockCache cache_;
  std::unique_ptr<Block> uncached_;  // the last block that could not be cached
  // Blocks whose first instruction runs across a page boundary cannot be cached (their bytes are
  // on two pages), but they are kept here with those bytes: as long as the bytes at CS:EIP are
  // the same (compared each time, so a store into either page is seen), the decoded block is.
  struct Straddler {
    std::unique_ptr<Block> block;
    uint8_t bytes[15];
  };
  std::unordered_map<BlockKey, Straddler, BlockCache::KeyHash> straddlers_;
  bool straddler_bytes(uint32_t lin, const uint8_t* host, unsigned len, uint8_t* out);
  const Block* last_ = nullptr;      // the block run last (valid until the next run)
  EngineStats st_;
};

}  // namespace bt86
