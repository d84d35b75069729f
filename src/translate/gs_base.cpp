// Writing the host GS base (see gs_base.h).
#include "translate/gs_base.h"

#include <asm/prctl.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>

namespace bt86 {

namespace {
const bool g_wrgsbase = (getauxval(AT_HWCAP2) & 2) != 0;  // HWCAP2_FSGSBASE
}

void set_host_gs_base_slow(uint64_t base) {
  if (g_wrgsbase) {
    asm volatile("wrgsbase %0" : : "r"(base) : "memory");
  } else if (syscall(SYS_arch_prctl, ARCH_SET_GS, base) != 0) {
    std::perror("bt86: arch_prctl(ARCH_SET_GS)");
    std::abort();  // translated code cannot reach guest memory without it
  }
  t_host_gs_base = base;
}

}  // namespace bt86
