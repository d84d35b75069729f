// Block cache tests: insertion/lookup by the whole block key, code-page marking shared between
// caches, invalidation of just the blocks a write overlaps, and links undone when either end goes.
#include <doctest/doctest.h>
#include <vector>
#include "cpu/block_cache.h"

using namespace bt86;

static std::unique_ptr<Block> make_block(uint32_t phys, uint32_t bytes, uint32_t mode = 1) {
  auto b = std::make_unique<Block>();
  b->key = BlockKey{phys, phys, 0, 0xFFFFFFFF, mode};
  b->bytes = bytes;
  return b;
}
static BlockKey key(uint32_t phys, uint32_t mode = 1) { return BlockKey{phys, phys, 0, 0xFFFFFFFF, mode}; }

TEST_CASE("block cache: find by the whole key") {
  CodePages pages;
  BlockCache c(pages);
  CHECK(c.insert(make_block(0x1000, 10)));
  CHECK_FALSE(c.insert(make_block(0x1010, 4)));  // same page: not a new code page
  CHECK(c.find(key(0x1000)) != nullptr);
  CHECK(c.find(key(0x1000, 0)) == nullptr);      // another mode (16-bit code) is another block
  BlockKey other_eip = key(0x1000);
  other_eip.eip = 0x5000;                         // the same bytes reached at another EIP
  CHECK(c.find(other_eip) == nullptr);
  BlockKey other_limit = key(0x1000);
  other_limit.cs_limit = 0xFFFF;
  CHECK(c.find(other_limit) == nullptr);
  CHECK(c.find(key(0x1010))->bytes == 4);
  CHECK(pages.has_code(0x1FFF));
  CHECK_FALSE(pages.has_code(0x2000));
  CHECK(c.count() == 2);
}

TEST_CASE("block cache: writes invalidate only overlapping blocks") {
  CodePages pages;
  BlockCache c(pages);
  c.insert(make_block(0x1000, 10));  // [0x1000, 0x100A)
  c.insert(make_block(0x1010, 4));   // [0x1010, 0x1014)
  Block* second = c.find(key(0x1010));
  CHECK(pages.note_write(0x100A, 4) == 0);  // the gap between them
  CHECK(pages.note_write(0x1009, 1) == 1);  // last byte of the first block
  CHECK(c.find(key(0x1000)) == nullptr);
  CHECK(c.find(key(0x1010)) == second);
  CHECK(pages.has_code(0x1000));
  CHECK(pages.note_write(0x100E, 4) == 1);  // overlaps the start of the second
  CHECK_FALSE(pages.has_code(0x1000));      // no blocks left on the page
  c.collect_garbage();
  CHECK(c.count() == 0);
}

TEST_CASE("block cache: a straddler is on two pages and goes when either is written") {
  CodePages pages;
  BlockCache c(pages);
  auto s = make_block(0x1FFC, 6);  // [0x1FFC, 0x2000) and [0x5000, 0x5002)
  s->set_straddler_page(0x5000);
  CHECK(s->straddles());
  CHECK(s->bytes_on_first_page() == 4);
  std::vector<uint32_t> fresh;
  CHECK(c.insert(std::move(s), [&](uint32_t p) { fresh.push_back(p); }) == 2);
  CHECK(fresh == std::vector<uint32_t>{0x1FFC, 0x5000});
  CHECK(pages.has_code(0x5FFF));
  CHECK_FALSE(pages.has_code(0x2000));       // the linear next page is not the physical one
  CHECK(pages.note_write(0x5002, 2) == 0);   // past its bytes on the second page
  CHECK(pages.note_write(0x5001, 1) == 1);   // its last byte
  CHECK(c.find(key(0x1FFC)) == nullptr);
  CHECK_FALSE(pages.has_code(0x1000));       // out of both pages' lists
  CHECK_FALSE(pages.has_code(0x5000));
  // Written through its first page, it leaves the second page's list too.
  auto t = make_block(0x1FFE, 3);
  t->set_straddler_page(0x7000);
  c.insert(std::move(t));
  c.insert(make_block(0x7100, 4));
  CHECK(pages.note_write(0x1FFF, 1) == 1);
  c.collect_garbage();
  CHECK(pages.has_code(0x7000));             // the other block there
  CHECK(pages.note_write(0x7000, 0x1000) == 1);
  CHECK_FALSE(pages.has_code(0x7000));
  CHECK(c.count() == 0);
}

TEST_CASE("block cache: a block's extra bytes (an inlined thunk) drop it when written") {
  CodePages pages;
  BlockCache c(pages);
  auto b = make_block(0x3100, 8);  // its own bytes [0x3100, 0x3108), a thunk at [0x6F00, 0x6F04)
  b->extra_phys = 0x6F00;
  b->extra_len = 4;
  CHECK(c.insert(std::move(b)) == 2);
  CHECK(pages.has_code(0x6000));
  CHECK(pages.note_write(0x6F04, 4) == 0);  // beside the thunk
  CHECK(pages.note_write(0x6EFC, 4) == 0);
  CHECK(pages.note_write(0x6F03, 1) == 1);  // its ret
  CHECK(c.find(key(0x3100)) == nullptr);
  CHECK_FALSE(pages.has_code(0x3000));
  CHECK_FALSE(pages.has_code(0x6000));
  // Extra bytes on the block's own page: listed once, and still checked as a second range.
  auto d = make_block(0x3100, 8);
  d->extra_phys = 0x3800;
  d->extra_len = 4;
  CHECK(c.insert(std::move(d)) == 1);
  CHECK(pages.note_write(0x3400, 4) == 0);
  CHECK(pages.note_write(0x3802, 2) == 1);
  CHECK_FALSE(pages.has_code(0x3000));
  c.collect_garbage();
}

TEST_CASE("block cache: two caches on one CodePages each hear of writes to their pages") {
  CodePages pages;
  BlockCache a(pages), b(pages);
  a.insert(make_block(0x1000, 8));
  CHECK_FALSE(b.insert(make_block(0x1000, 8)));  // the page already held code (a's)
  CHECK(pages.note_write(0x1004, 1) == 2);        // both dropped their block
  CHECK(a.find(key(0x1000)) == nullptr);
  CHECK(b.find(key(0x1000)) == nullptr);
  CHECK_FALSE(pages.has_code(0x1000));
  b.insert(make_block(0x3000, 8));
  pages.invalidate_all();
  CHECK(b.count() == 0);
}

TEST_CASE("block cache: links are undone when either end is invalidated") {
  CodePages pages;
  BlockCache c(pages);
  c.insert(make_block(0x1000, 8));
  c.insert(make_block(0x1100, 8));
  c.insert(make_block(0x1200, 8));
  Block* a = c.find(key(0x1000));
  Block* b = c.find(key(0x1100));
  Block* d = c.find(key(0x1200));
  c.link(a, b, 0x1100);
  c.link(b, d, 0x1200);
  CHECK(a->follow(0x1100) == b);
  CHECK(b->follow(0x1200) == d);
  CHECK(a->follow(0x1200) == nullptr);
  pages.note_write(0x1100, 1);  // b goes: a's link to it and b's own link are undone
  CHECK(a->follow(0x1100) == nullptr);
  CHECK(d->incoming.empty());
  // A third link replaces the older of two.
  Block* e = c.find(key(0x1200));
  c.link(a, e, 0x1200);
  c.insert(make_block(0x1300, 8));
  Block* g = c.find(key(0x1300));
  c.link(a, g, 0x1300);
  c.insert(make_block(0x1400, 8));
  Block* h = c.find(key(0x1400));
  c.link(a, h, 0x1400);  // replaces the link to e
  CHECK(a->follow(0x1200) == nullptr);
  CHECK(a->follow(0x1300) == g);
  CHECK(a->follow(0x1400) == h);
  CHECK(e->incoming.empty());
}
