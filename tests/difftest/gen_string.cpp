// Group "string": MOVS CMPS SCAS LODS STOS in byte/word/dword forms, without prefix or with
// REP/REPE/REPNE, 0-16 iterations, DF either way, 32-bit addressing in the data page or 16-bit
// addressing (SI/DI/CX, random upper halves) in the low page, source segment overrides,
// overlapping MOVS source and destination, and compared data made partly equal so REPE/REPNE
// stop at interesting places.
#include <utility>
#include "generator.h"

namespace difftest {

namespace {

enum Op { Movs, Cmps, Scas, Lods, Stos };

bool reads_source(Op op) { return op == Movs || op == Cmps || op == Lods; }
bool uses_dest(Op op) { return op != Lods; }
bool compares(Op op) { return op == Cmps || op == Scas; }

uint8_t opcode(Op op, unsigned size) {
  static const uint8_t base[] = {0xA4, 0xA6, 0xAE, 0xAC, 0xAA};
  return uint8_t(base[op] + (size == 1 ? 0 : 1));
}

// First address of an n-element run starting at a random place, moving up (DF=0) or down.
uint32_t run_start(GenContext& c, Window w, unsigned size, unsigned n, bool down) {
  const unsigned span = n * size;
  return down ? c.pick_address(size, w, 1, span, 0) : c.pick_address(size, w, 1, 0, span);
}

}  // namespace

void gen_string(GenContext& c) {
  const Op op = Op(c.rng.below(5));
  const unsigned size = c.pick_size();
  const bool addr16 = c.low_window && c.rng.chance(25);
  const Window w = addr16 ? Window::Low : Window::Data;
  const unsigned rep = c.rng.below(compares(op) ? 3 : 2);  // 0 none, 1 F3, 2 F2
  const unsigned n = rep ? c.rng.below(17) : 1;
  const bool down = c.df;

  const bool overlap = op == Movs && c.rng.chance(30);
  // With 16-bit addressing the upper register halves are random and must be ignored. Host
  // quirk (AMD Zen): REP MOVS with 16-bit addressing copies overlapping runs wrongly when the
  // upper half of EDI is not zero, so MOVS keeps that one zero.
  const uint32_t hi_src = addr16 ? c.rng.u32() << 16 : 0;
  const uint32_t hi_dst = addr16 && op != Movs ? c.rng.u32() << 16 : 0;
  uint32_t src = 0, dst = 0;
  if (reads_source(op)) {
    src = run_start(c, w, size, n, down);
    c.load(4, 6, hi_src | (src & (addr16 ? 0xFFFF : ~0u)));
  }
  if (uses_dest(op)) {
    const uint32_t base = addr16 ? DT_LOW_ADDR : DT_DATA_ADDR;
    const uint32_t span = n * size;
    dst = src + uint32_t(c.rng.range(-3, 3) * int32_t(size) + c.rng.range(-1, 1));
    if (!overlap || dst - base < span + 4 || dst - base > DT_PAGE - span - 4) dst = run_start(c, w, size, n, down);
    c.load(4, 7, hi_dst | (dst & (addr16 ? 0xFFFF : ~0u)));
  }
  if (rep) {
    if (addr16) c.load(4, 1, (c.rng.u32() << 16) | n);
    else c.load(4, 1, n);
  }
  if (op == Scas || op == Stos) c.maybe_load(size, 0, 70);

  // Make compared data partly equal: equal bytes at the start of both CMPS runs; for SCAS the
  // accumulator loaded from the first scanned element.
  if (op == Cmps && c.rng.chance(50)) {
    const uint32_t step = down ? uint32_t(-int32_t(size)) : size;
    const unsigned equal = c.rng.below(n + 1);
    for (unsigned k = 0; k < equal * size; ++k) {
      uint8_t byte = 0x5A ^ uint8_t(k * 7);
      c.poke(src + (k / size) * step + k % size, &byte, 1);
      c.poke(dst + (k / size) * step + k % size, &byte, 1);
    }
  }
  if (op == Scas && c.rng.chance(50)) {
    MemOptions o;
    o.window = w;
    o.avoid = RegMask(reg_bit(1) | reg_bit(7) | reg_bit(0));
    c.emit.insn(ZYDIS_MNEMONIC_MOV, {opnd::reg(gpr(size, 0)), c.mem_at(size, dst, o)});
  }

  uint8_t b[8];
  size_t len = 0;
  uint8_t prefixes[4];
  size_t np = 0;
  if (addr16) prefixes[np++] = 0x67;
  if (size == 2) prefixes[np++] = 0x66;
  if (reads_source(op) && c.rng.chance(15)) prefixes[np++] = c.rng.pick({0x26, 0x2E, 0x36, 0x3E});
  if (rep) prefixes[np++] = rep == 1 ? 0xF3 : 0xF2;
  for (size_t k = np; k > 1; --k) std::swap(prefixes[k - 1], prefixes[c.rng.below(uint32_t(k))]);  // any order
  for (size_t k = 0; k < np; ++k) b[len++] = prefixes[k];
  b[len++] = opcode(op, size);
  FlagAdjust adj;
  if (rep && n == 0) adj.unwritten = kAllFlags;  // no iteration: CMPS/SCAS leave the flags alone
  c.emit.raw(b, len, adj);
}

}  // namespace difftest
