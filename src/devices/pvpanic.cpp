// QEMU's ISA pvpanic device (see pvpanic.h).
#include "devices/pvpanic.h"

#include <cstdio>

namespace bt86 {

void Pvpanic::io_write(uint16_t port, uint32_t value, unsigned size) {
  if (value & kCrashLoaded) std::fprintf(stderr, "bt86: pvpanic: the guest reports a crash kernel loaded\n");
  if ((value & kPanicked) && on_panic) on_panic();
}

}  // namespace bt86
