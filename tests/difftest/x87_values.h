// Random x87 operand values biased towards the cases an FPU gets wrong: signed zeros,
// denormals, pseudo-denormals, unnormals, infinities, quiet/signalling NaNs, the real
// indefinite, integers and half-integers (rounding), huge and tiny exponents. Also the FNSAVE
// image helpers shared by the generator and the interpreter runner.
#pragma once
#include <cstdint>
#include "rng.h"

namespace difftest {

struct Ext80 {
  uint64_t mant = 0;  // bit 63 = explicit integer bit J
  uint16_t se = 0;    // bit 15 sign, bits 0-14 biased exponent
};

Ext80 random_ext80(Rng& rng);
uint32_t random_f32(Rng& rng);  // IEEE single bit pattern
uint64_t random_f64(Rng& rng);  // IEEE double bit pattern
uint64_t random_int64(Rng& rng, unsigned bytes);  // sign-extended interesting integer of 2/4/8 bytes
void random_bcd(Rng& rng, uint8_t out[10]);       // packed BCD, mostly valid

// Two-bit x87 tag of a non-empty register: 0 valid, 1 zero, 2 special.
unsigned x87_tag_of(const uint8_t reg[10]);

// FNSAVE image (32-bit protected-mode format) field offsets.
namespace fsave {
constexpr unsigned kCw = 0, kSw = 4, kTw = 8, kSt0 = 28;
}

}  // namespace difftest
