// The instruction table: every implemented mnemonic -> its binder. See insn_table.h.
#include "cpu/insn_table.h"
#include <array>
#include "cpu/ops.h"

namespace bt86 {

#define ROW(mn, binder, group) {ZYDIS_MNEMONIC_##mn, binder, group},
static const TableRow kRows[] = {
#include "cpu/table_int.inc"
#include "cpu/table_sys.inc"
#include "cpu/table_x87.inc"
};
#undef ROW

static const std::array<Binder, ZYDIS_MNEMONIC_MAX_VALUE + 1> kByMnemonic = [] {
  std::array<Binder, ZYDIS_MNEMONIC_MAX_VALUE + 1> a{};
  for (const TableRow& r : kRows) a[r.mnemonic] = r.bind;
  return a;
}();

Binder find_binder(ZydisMnemonic m) {
  return (m >= 0 && m <= ZYDIS_MNEMONIC_MAX_VALUE) ? kByMnemonic[m] : nullptr;
}

const TableRow* table_rows(size_t* count) {
  *count = sizeof(kRows) / sizeof(kRows[0]);
  return kRows;
}

}  // namespace bt86
