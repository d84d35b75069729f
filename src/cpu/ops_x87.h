// Binders of the x87 instruction family (see table_x87.inc).
#pragma once
#include "cpu/insn_table.h"

namespace bt86 {
}  // namespace bt86
