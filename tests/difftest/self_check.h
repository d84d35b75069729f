// Self-check of the tester itself (bt86_difftest --self-check): the native runner on sequences
// with known answers, the comparator on deliberately wrong "interpreter results" (it must report
// every planted difference and ignore planted differences in undefined flags), and generator
// health (native outcomes over a sample: faults must stay rare and inside the sequence).
#pragma once
#include "generator.h"
#include "native_oracle.h"

namespace difftest {

// Prints one line per check and a closing "difftest self-check: N passed, M failed" line;
// returns the number of failed checks.
unsigned run_self_check(NativeOracle& oracle, const GeneratorOptions& gen);

}  // namespace difftest
