// Test-case generation: the initial machine state (registers, flags, data pages, x87 stack) and
// the sequence of templates from the enabled groups (see generator.h).
#include "generator.h"
#include <cstring>
#include "x87_values.h"

namespace difftest {

const std::vector<Group>& all_groups() {
  static const std::vector<Group> groups = {
      {"alu", gen_alu},       {"shift", gen_shift},   {"muldiv", gen_muldiv}, {"bcd", gen_bcd},
      {"bits", gen_bits},     {"cond", gen_cond},     {"xchg", gen_xchg},     {"lea", gen_lea},
      {"string", gen_string}, {"stack", gen_stack},   {"x87", gen_x87},       {"x87exc", gen_x87_exceptions},
      {"smc", gen_smc},       {"misc", gen_misc},
  };
  return groups;
}

std::string group_names() {
  std::string s;
  for (const Group& g : all_groups()) s += (s.empty() ? "" : ",") + std::string(g.name);
  return s;
}

namespace {

// Random page contents: runs of random bytes, zeros, all-ones and small numbers.
void fill_page(Rng& rng, uint8_t* page) {
  for (unsigned off = 0; off < DT_PAGE; off += 16) {
    const unsigned kind = rng.below(8);
    for (unsigned k = 0; k < 16; k += 8) {
      uint64_t v = kind == 0 ? 0 : kind == 1 ? ~0ull : kind == 2 ? rng.next() & 0x0F0F0F0F0F0F0F0Full : rng.next();
      std::memcpy(page + off + k, &v, 8);
    }
  }
}

void put16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }

// x87 state: random TOP, some registers in use with special-biased values, all exceptions
// masked, random rounding and precision control, random condition codes and sticky flags.
void init_x87(Rng& rng, uint8_t* img) {
  std::memset(img, 0, DT_FPU_IMAGE);
  const uint16_t cw = uint16_t(0x037F & ~0x0F00) | uint16_t(rng.pick({0u, 2u, 3u}) << 8) | uint16_t(rng.below(4) << 10);
  const unsigned top = rng.below(8);
  uint16_t sw = uint16_t(top << 11) | uint16_t(rng.u32() & 0x4700);  // C3 C2 C1 C0
  if (rng.chance(30)) sw |= uint16_t(rng.u32() & 0x3F);               // sticky exception flags (masked)
  uint16_t tw = 0;
  for (unsigned i = 0; i < 8; ++i) {  // ST(i), stored in stack order
    uint8_t* reg = img + fsave::kSt0 + 10 * i;
    Ext80 v = random_ext80(rng);
    std::memcpy(reg, &v.mant, 8);
    std::memcpy(reg + 8, &v.se, 2);
    const bool used = rng.chance(55);
    const unsigned phys = (top + i) & 7;
    tw = uint16_t(tw | (used ? x87_tag_of(reg) : 3u) << (2 * phys));
  }
  put16(img + fsave::kCw, cw);
  put16(img + fsave::kSw, sw);
  put16(img + fsave::kTw, tw);
}

void init_state(Rng& rng, TestCase& tc, bool low_window) {
  dt_case_header& h = tc.init;
  for (uint32_t& r : h.gpr) r = rng.interesting(4);
  uint32_t esp = DT_DATA_ADDR + 0x300 + rng.below(0xA00);
  h.gpr[kEsp] = rng.chance(90) ? esp & ~3u : esp;
  h.eflags = (rng.u32() & 0x08D5) | (rng.chance(25) ? 0x400 : 0);
  fill_page(rng, h.data);
  if (low_window) fill_page(rng, h.low);
  init_x87(rng, h.fpu);
}

}  // namespace

TestCase generate(uint64_t seed, uint64_t index, const GeneratorOptions& opt) {
  TestCase tc;
  tc.seed = seed;
  tc.index = index;
  Rng rng(seed, index);
  init_state(rng, tc, opt.low_window);
  GenContext ctx(tc, rng, opt.low_window);
  std::vector<const Group*> groups = opt.groups;
  if (groups.empty())
    for (const Group& g : all_groups()) groups.push_back(&g);
  const unsigned len = 1 + rng.below(opt.max_len ? opt.max_len : 1);
  for (unsigned k = 0; k < len && ctx.emit.has_room(); ++k) {
    const Group* g = groups[rng.below(uint32_t(groups.size()))];
    g->emit(ctx);
    if (("," + tc.groups + ",").find("," + std::string(g->name) + ",") == std::string::npos)
      tc.groups += (tc.groups.empty() ? "" : ",") + std::string(g->name);
  }
  return tc;
}

}  // namespace difftest
