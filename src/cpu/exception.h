// Guest exceptions as C++ exceptions: an instruction handler that detects a fault throws
// GuestFault; the execution loop catches it with the guest state still at the faulting
// instruction (handlers change no architectural state before their last possible fault) and
// delivers the exception through the IDT/IVT.
#pragma once
#include <cstdint>

namespace bt86 {

namespace vec {
constexpr uint8_t DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8;
constexpr uint8_t TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19;
}  // namespace vec

constexpr int32_t kNoErrorCode = -1;

struct GuestFault {
  uint8_t vector;
  int32_t error;  // kNoErrorCode when the exception pushes none
};

[[noreturn]] inline void guest_fault(uint8_t vector, int32_t error = kNoErrorCode) {
  throw GuestFault{vector, error};
}

// Vectors that push an error code (in protected mode).
constexpr bool vector_has_error_code(uint8_t v) {
  return v == vec::DF || v == vec::TS || v == vec::NP || v == vec::SS || v == vec::GP ||
         v == vec::PF || v == vec::AC;
}

}  // namespace bt86
