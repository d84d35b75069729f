// The one table from instruction to implementation. Each row maps a Zydis mnemonic to a binder:
// the binder sees the Zydis decode and the generically pre-filled Insn and returns the handler
// specialised for the operand sizes/kinds (or nullptr: the form is not implemented, which the
// decoder turns into #UD plus an "unimplemented" log line). Rows are grouped by instruction
// family in table_*.inc files, all included into the single array in insn_table.cpp.
#pragma once
#include <Zydis/Zydis.h>
#include "cpu/insn.h"

namespace bt86 {

using Binder = Handler (*)(Insn& insn, const ZydisDecodedInstruction& zi, const ZydisDecodedOperand* ops);

struct TableRow {
  ZydisMnemonic mnemonic;
  Binder bind;
  const char* group;  // implementing file family, for documentation/diagnostics
};

// Binder lookup by mnemonic (nullptr if the mnemonic is not in the table).
Binder find_binder(ZydisMnemonic m);
// All rows, for tests and documentation.
const TableRow* table_rows(size_t* count);

}  // namespace bt86
