// Declarations of every instruction family's binders, for the table in insn_table.cpp.
#pragma once
#include "cpu/ops_int.h"
#include "cpu/ops_sys.h"
#include "cpu/ops_x87.h"
