// Binders of the int instruction family (see table_int.inc).
#pragma once
#include "cpu/insn_table.h"

namespace bt86 {
}  // namespace bt86
