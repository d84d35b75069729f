// The host GS segment base, which translated code's flat guest accesses add to their 32-bit
// address (`gs: addr32 op [...]`, block_translator.cpp's encode_gs_form): the linear view of the
// running code's privilege. Set before translated code is entered, and only when it changes:
// WRGSBASE where the kernel allows it (AT_HWCAP2 FSGSBASE), else arch_prctl(ARCH_SET_GS). Nothing
// else in a 64-bit Linux process uses GS (thread-local storage is FS).
#pragma once
#include <cstdint>

namespace bt86 {

void set_host_gs_base_slow(uint64_t base);

// The value last written on this thread (the kernel keeps GS base per thread).
inline thread_local uint64_t t_host_gs_base = 0;

inline void set_host_gs_base(uint64_t base) {
  if (base != t_host_gs_base) set_host_gs_base_slow(base);
}

}  // namespace bt86
