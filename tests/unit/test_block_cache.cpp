// Block cache tests: insertion/lookup by (physical address, mode), code-page marking, and
// invalidation of just the blocks a write overlaps.
#include <doctest/doctest.h>
#include "cpu/block_cache.h"

using namespace bt86;

static std::unique_ptr<Block> make_block(uint32_t phys, uint32_t bytes, uint32_t mode = 1) {
  auto b = std::make_unique<Block>();
  b->phys = phys;
  b->bytes = bytes;
  b->mode = mode;
  return b;
}

TEST_CASE("block cache: find by physical address and mode") {
  BlockCache c;
  CHECK(c.insert(make_block(0x1000, 10)));
  CHECK_FALSE(c.insert(make_block(0x1010, 4)));  // same page: not a new code page
  CHECK(c.find(0x1000, 1) != nullptr);
  CHECK(c.find(0x1000, 0) == nullptr);           // 16-bit decode is a different block
  CHECK(c.find(0x1010, 1)->bytes == 4);
  CHECK(c.page_has_code(0x1FFF));
  CHECK_FALSE(c.page_has_code(0x2000));
  CHECK(c.count() == 2);
}

TEST_CASE("block cache: writes invalidate only overlapping blocks") {
  BlockCache c;
  c.insert(make_block(0x1000, 10));  // [0x1000, 0x100A)
  c.insert(make_block(0x1010, 4));   // [0x1010, 0x1014)
  Block* second = c.find(0x1010, 1);
  CHECK(c.invalidate_range(0x100A, 4) == 0);  // the gap between them
  CHECK(c.invalidate_range(0x1009, 1) == 1);  // last byte of the first block
  CHECK(c.find(0x1000, 1) == nullptr);
  CHECK(c.find(0x1010, 1) == second);
  CHECK(c.page_has_code(0x1000));
  CHECK(c.invalidate_range(0x100E, 4) == 1);  // overlaps the start of the second
  CHECK_FALSE(c.page_has_code(0x1000));       // no blocks left on the page
  c.collect_garbage();
  CHECK(c.count() == 0);
}
