// Test helpers for the legacy ISA device tests: an IrqSink that records each line's level and
// counts rising edges, as an edge-triggered 8259 would see them.
#pragma once
#include <array>

#include "devices/device.h"

namespace bt86::test {

class RecordingIrqSink : public IrqSink {
 public:
  void set_irq(unsigned irq, bool level) override {
    if (level && !levels[irq]) ++rising_edges[irq];
    levels[irq] = level;
  }
  std::array<bool, 16> levels{};
  std::array<int, 16> rising_edges{};
};

}  // namespace bt86::test
