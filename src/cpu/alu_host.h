// Host execution of integer ALU instructions. Each helper runs the very same x86 instruction on
// the host CPU (GCC inline asm) and returns the host's resulting status flags, so every flag —
// including the architecturally undefined ones — and every undefined result (e.g. SHLD of a
// 16-bit operand by more than 16) is exactly what the host produces. The host is our
// differential-test oracle, so this is what makes the interpreter match it bit for bit.
//
// Flag protocol: every helper takes `fl` = the guest EFLAGS on entry and leaves the new six status
// flags in it on exit (other bits zero; callers use Cpu::set_arith_flags). Before the host
// instruction runs, all six guest status flags are loaded into the host flags (SAHF for SF ZF AF
// PF CF, an 8-bit add for OF), so flags the instruction leaves alone (INC/DEC's CF, rotates' SF
// ZF AF PF, BT's others...) come out unchanged and ADC/SBB/RCL/RCR see the guest CF. Afterwards
// LAHF + SETO read them back. EAX carries the flag image through the asm.
#pragma once
#include <array>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace bt86::host {

// Two-operand ALU operations of the 00-3F opcode rows (+ TEST); Cmp/Test compute flags only.
enum class AluOp : uint8_t { Add, Or, Adc, Sbb, And, Sub, Xor, Cmp, Test };
enum class ShiftOp : uint8_t { Rol, Ror, Rcl, Rcr, Shl, Shr, Sar };
enum class DoubleShiftOp : uint8_t { Shld, Shrd };
enum class UnaryOp : uint8_t { Inc, Dec, Neg };
enum class BitOp : uint8_t { Bt, Bts, Btr, Btc };
enum class ScanOp : uint8_t { Bsf, Bsr };

// The integer type twice as wide as T (product / dividend of MUL, IMUL, DIV, IDIV).
template <class T> using Wide = std::conditional_t<sizeof(T) == 1, uint16_t, std::conditional_t<sizeof(T) == 2, uint32_t, uint64_t>>;

// EAX value whose AH holds SF ZF AF PF CF and whose AL bit 7 holds OF (see the protocol above).
inline uint32_t flag_image(uint32_t eflags) { return ((eflags & 0xD5u) << 8) | ((eflags >> 4) & 0x80u); }
// Back from LAHF (AH) + SETO (AL) to EFLAGS bit positions.
inline uint32_t flags_from_image(uint32_t ax) { return ((ax >> 8) & 0xD5u) | ((ax & 1u) << 11); }

// Asm prologue/epilogue around the host instruction: EAX ("+a"(img)) holds the flag image.
#define BT86_LOAD_FLAGS "addb %%al, %%al\n\tsahf\n\t"
#define BT86_NO_LOAD ""
#define BT86_SAVE_FLAGS "\n\tlahf\n\tseto %%al"

// Instantiates M(..., T, W) for each operand width; W is the GCC register-size modifier.
#define BT86_ALL_WIDTHS(M, ...) M(__VA_ARGS__, uint8_t, "b") M(__VA_ARGS__, uint16_t, "w") M(__VA_ARGS__, uint32_t, "k")
#define BT86_WIDE_WIDTHS(M, ...) M(__VA_ARGS__, uint16_t, "w") M(__VA_ARGS__, uint32_t, "k")

// d = d INSN s (two-operand form, AT&T order "INSN s, d"); LOAD is BT86_LOAD_FLAGS or
// BT86_NO_LOAD.
#define BT86_BINARY(TEMPLATE, ENUM, INSN, LOAD, T, W)                                        \
  template <> inline T TEMPLATE<ENUM, T>(T d, T s, uint32_t & fl) {                           \
    uint32_t img = sizeof(LOAD) > 1 ? flag_image(fl) : 0; /* LOAD is "" when not loading */   \
    asm(LOAD INSN " %" W "[s], %" W "[d]" BT86_SAVE_FLAGS                                     \
        : [d] "+r"(d), "+a"(img) : [s] "r"(s) : "cc");                                        \
    fl = flags_from_image(img);                                                               \
    return d;                                                                                 \
  }

template <AluOp OP, class T> T alu(T d, T s, uint32_t& fl);
BT86_ALL_WIDTHS(BT86_BINARY, alu, AluOp::Add, "add", BT86_NO_LOAD)
BT86_ALL_WIDTHS(BT86_BINARY, alu, AluOp::Or, "or", BT86_LOAD_FLAGS)
BT86_ALL_WIDTHS(BT86_BINARY, alu, AluOp::Adc, "adc", BT86_LOAD_FLAGS)
BT86_ALL_WIDTHS(BT86_BINARY, alu, AluOp::Sbb, "sbb", BT86_LOAD_FLAGS)
BT86_ALL_WIDTHS(BT86_BINARY, alu, AluOp::And, "and", BT86_LOAD_FLAGS)
BT86_ALL_WIDTHS(BT86_BINARY, alu, AluOp::Sub, "sub", BT86_NO_LOAD)
BT86_ALL_WIDTHS(BT86_BINARY, alu, AluOp::Xor, "xor", BT86_LOAD_FLAGS)
BT86_ALL_WIDTHS(BT86_BINARY, alu, AluOp::Cmp, "cmp", BT86_NO_LOAD)
BT86_ALL_WIDTHS(BT86_BINARY, alu, AluOp::Test, "test", BT86_LOAD_FLAGS)

// Bit test family on a register-sized value; `s` is the bit index (the host masks it).
template <BitOp OP, class T> T bit_test(T d, T s, uint32_t& fl);
BT86_WIDE_WIDTHS(BT86_BINARY, bit_test, BitOp::Bt, "bt", BT86_LOAD_FLAGS)
BT86_WIDE_WIDTHS(BT86_BINARY, bit_test, BitOp::Bts, "bts", BT86_LOAD_FLAGS)
BT86_WIDE_WIDTHS(BT86_BINARY, bit_test, BitOp::Btr, "btr", BT86_LOAD_FLAGS)
BT86_WIDE_WIDTHS(BT86_BINARY, bit_test, BitOp::Btc, "btc", BT86_LOAD_FLAGS)

// BSF/BSR: d is the destination's old value, kept when s == 0 (as the host does).
template <ScanOp OP, class T> T bit_scan(T d, T s, uint32_t& fl);
BT86_WIDE_WIDTHS(BT86_BINARY, bit_scan, ScanOp::Bsf, "bsf", BT86_LOAD_FLAGS)
BT86_WIDE_WIDTHS(BT86_BINARY, bit_scan, ScanOp::Bsr, "bsr", BT86_LOAD_FLAGS)

// Two- and three-operand IMUL (truncated product; CF/OF say whether it was truncated).
template <class T> T imul_trunc(T d, T s, uint32_t& fl);
#define BT86_IMUL_TRUNC(T, W)                                                                 \
  template <> inline T imul_trunc<T>(T d, T s, uint32_t & fl) {                              \
    uint32_t img = flag_image(fl);                                                            \
    asm(BT86_LOAD_FLAGS "imul %" W "[s], %" W "[d]" BT86_SAVE_FLAGS                           \
        : [d] "+r"(d), "+a"(img) : [s] "r"(s) : "cc");                                        \
    fl = flags_from_image(img);                                                               \
    return d;                                                                                 \
  }
BT86_IMUL_TRUNC(uint16_t, "w")
BT86_IMUL_TRUNC(uint32_t, "k")

// INC, DEC, NEG.
template <UnaryOp OP, class T> T unary(T d, uint32_t& fl);
#define BT86_UNARY(ENUM, INSN, LOAD, T, W)                                                    \
  template <> inline T unary<ENUM, T>(T d, uint32_t & fl) {                                   \
    uint32_t img = sizeof(LOAD) > 1 ? flag_image(fl) : 0; /* LOAD is "" when not loading */   \
    asm(LOAD INSN " %" W "[d]" BT86_SAVE_FLAGS : [d] "+r"(d), "+a"(img) : : "cc"); \
    fl = flags_from_image(img);                                                               \
    return d;                                                                                 \
  }
BT86_ALL_WIDTHS(BT86_UNARY, UnaryOp::Inc, "inc", BT86_LOAD_FLAGS)
BT86_ALL_WIDTHS(BT86_UNARY, UnaryOp::Dec, "dec", BT86_LOAD_FLAGS)
BT86_ALL_WIDTHS(BT86_UNARY, UnaryOp::Neg, "neg", BT86_NO_LOAD)

// Shifts and rotates by CL = count. The host masks the count to 5 bits and takes RCL/RCR of 8/16
// bits modulo 9/17, exactly as the guest would. Callers skip a (masked) count of 0.
template <ShiftOp OP, class T> T shift(T d, uint8_t count, uint32_t& fl);
#define BT86_SHIFT(ENUM, INSN, T, W)                                                          \
  template <> inline T shift<ENUM, T>(T d, uint8_t count, uint32_t & fl) {                   \
    uint32_t img = flag_image(fl);                                                            \
    asm(BT86_LOAD_FLAGS INSN " %%cl, %" W "[d]" BT86_SAVE_FLAGS                               \
        : [d] "+r"(d), "+a"(img) : "c"(count) : "cc");                                        \
    fl = flags_from_image(img);                                                               \
    return d;                                                                                 \
  }
BT86_ALL_WIDTHS(BT86_SHIFT, ShiftOp::Rol, "rol")
BT86_ALL_WIDTHS(BT86_SHIFT, ShiftOp::Ror, "ror")
BT86_ALL_WIDTHS(BT86_SHIFT, ShiftOp::Rcl, "rcl")
BT86_ALL_WIDTHS(BT86_SHIFT, ShiftOp::Rcr, "rcr")
BT86_ALL_WIDTHS(BT86_SHIFT, ShiftOp::Shl, "shl")
BT86_ALL_WIDTHS(BT86_SHIFT, ShiftOp::Shr, "shr")
BT86_ALL_WIDTHS(BT86_SHIFT, ShiftOp::Sar, "sar")

// ROL/ROR by an immediate count, in the host's immediate form. Their OF is undefined for counts
// above 1 and the two forms need not agree: an Intel Xeon leaves OF as it was for `ror $n` and
// computes it for `ror %cl` (AMD EPYC computes it for both). Translated code runs the guest's
// immediate form natively, so the interpreter runs that form too (the other shifts' forms agree
// on both hosts). One instantiation per count, picked from a table.
template <ShiftOp OP, class T, unsigned N> T rotate_imm_n(T d, uint32_t& fl) {
  static_assert(OP == ShiftOp::Rol || OP == ShiftOp::Ror);
  uint32_t img = flag_image(fl);
  if constexpr (OP == ShiftOp::Rol) {
    if constexpr (sizeof(T) == 1) asm(BT86_LOAD_FLAGS "rolb %[n], %b[d]" BT86_SAVE_FLAGS : [d] "+r"(d), "+a"(img) : [n] "i"(N) : "cc");
    else if constexpr (sizeof(T) == 2) asm(BT86_LOAD_FLAGS "rolw %[n], %w[d]" BT86_SAVE_FLAGS : [d] "+r"(d), "+a"(img) : [n] "i"(N) : "cc");
    else asm(BT86_LOAD_FLAGS "roll %[n], %k[d]" BT86_SAVE_FLAGS : [d] "+r"(d), "+a"(img) : [n] "i"(N) : "cc");
  } else {
    if constexpr (sizeof(T) == 1) asm(BT86_LOAD_FLAGS "rorb %[n], %b[d]" BT86_SAVE_FLAGS : [d] "+r"(d), "+a"(img) : [n] "i"(N) : "cc");
    else if constexpr (sizeof(T) == 2) asm(BT86_LOAD_FLAGS "rorw %[n], %w[d]" BT86_SAVE_FLAGS : [d] "+r"(d), "+a"(img) : [n] "i"(N) : "cc");
    else asm(BT86_LOAD_FLAGS "rorl %[n], %k[d]" BT86_SAVE_FLAGS : [d] "+r"(d), "+a"(img) : [n] "i"(N) : "cc");
  }
  fl = flags_from_image(img);
  return d;
}
template <ShiftOp OP, class T, unsigned... N>
constexpr std::array<T (*)(T, uint32_t&), sizeof...(N)> rotate_imm_table(std::integer_sequence<unsigned, N...>) {
  return {&rotate_imm_n<OP, T, N>...};
}
// count: the masked count (1-31; callers skip 0).
template <ShiftOp OP, class T> T rotate_imm(T d, uint8_t count, uint32_t& fl) {
  static constexpr auto table = rotate_imm_table<OP, T>(std::make_integer_sequence<unsigned, 32>{});
  return table[count & 31](d, fl);
}

// SHLD/SHRD d, s, CL.
template <DoubleShiftOp OP, class T> T double_shift(T d, T s, uint8_t count, uint32_t& fl);
#define BT86_DOUBLE_SHIFT(ENUM, INSN, T, W)                                                   \
  template <> inline T double_shift<ENUM, T>(T d, T s, uint8_t count, uint32_t & fl) {       \
    uint32_t img = flag_image(fl);                                                            \
    asm(BT86_LOAD_FLAGS INSN " %%cl, %" W "[s], %" W "[d]" BT86_SAVE_FLAGS                    \
        : [d] "+r"(d), "+a"(img) : [s] "r"(s), "c"(count) : "cc");                            \
    fl = flags_from_image(img);                                                               \
    return d;                                                                                 \
  }
BT86_WIDE_WIDTHS(BT86_DOUBLE_SHIFT, DoubleShiftOp::Shld, "shld")
BT86_WIDE_WIDTHS(BT86_DOUBLE_SHIFT, DoubleShiftOp::Shrd, "shrd")

// One-operand MUL/IMUL: the full product of the accumulator `a` and `s` (AX, DX:AX or EDX:EAX).
// The accumulator is loaded into AL/AX/EAX after the flags (MOV leaves flags alone); the low
// half is moved out before LAHF overwrites AH.
template <bool SIGNED, class T> Wide<T> multiply(T a, T s, uint32_t& fl);
#define BT86_MULTIPLY8(SIGNED, INSN)                                                          \
  template <> inline uint16_t multiply<SIGNED, uint8_t>(uint8_t a, uint8_t s, uint32_t & fl) { \
    uint32_t img = flag_image(fl);                                                            \
    uint16_t prod;                                                                            \
    asm(BT86_LOAD_FLAGS "movb %[a], %%al\n\t" INSN " %b[s]\n\tmovw %%ax, %[p]" BT86_SAVE_FLAGS \
        : "+a"(img), [p] "=&r"(prod) : [a] "r"(a), [s] "r"(s) : "cc");                       \
    fl = flags_from_image(img);                                                               \
    return prod;                                                                              \
  }
#define BT86_MULTIPLY(SIGNED, INSN, T, W)                                                     \
  template <> inline Wide<T> multiply<SIGNED, T>(T a, T s, uint32_t & fl) {                   \
    uint32_t img = flag_image(fl);                                                            \
    T lo, hi;                                                                                 \
    asm(BT86_LOAD_FLAGS "mov %" W "[a], %" W "[acc]\n\t" INSN " %" W "[s]\n\tmov %" W "[acc], %" W "[lo]" \
        BT86_SAVE_FLAGS                                                                       \
        : [acc] "+a"(img), [lo] "=&r"(lo), "=&d"(hi) : [a] "r"(a), [s] "r"(s) : "cc");        \
    fl = flags_from_image(img);                                                               \
    return (Wide<T>(hi) << (8 * sizeof(T))) | lo;                                             \
  }
BT86_MULTIPLY8(false, "mulb")
BT86_MULTIPLY8(true, "imulb")
BT86_WIDE_WIDTHS(BT86_MULTIPLY, false, "mul")
BT86_WIDE_WIDTHS(BT86_MULTIPLY, true, "imul")

// DIV/IDIV of `dividend` by `s`. The caller has already checked for a zero divisor and for
// quotient overflow (#DE), so the host instruction cannot trap. Returns the quotient; the
// remainder goes to `rem`.
template <bool SIGNED, class T> T divide(Wide<T> dividend, T s, T& rem, uint32_t& fl);
#define BT86_DIVIDE8(SIGNED, INSN)                                                            \
  template <> inline uint8_t divide<SIGNED, uint8_t>(uint16_t dividend, uint8_t s, uint8_t & rem, uint32_t & fl) { \
    uint32_t img = flag_image(fl);                                                            \
    uint16_t qr;                                                                              \
    asm(BT86_LOAD_FLAGS "movw %[n], %%ax\n\t" INSN " %b[s]\n\tmovw %%ax, %[qr]" BT86_SAVE_FLAGS \
        : "+a"(img), [qr] "=&r"(qr) : [n] "r"(dividend), [s] "r"(s) : "cc");                  \
    fl = flags_from_image(img);                                                               \
    rem = uint8_t(qr >> 8);                                                                   \
    return uint8_t(qr);                                                                       \
  }
#define BT86_DIVIDE(SIGNED, INSN, T, W)                                                       \
  template <> inline T divide<SIGNED, T>(Wide<T> dividend, T s, T & rem, uint32_t & fl) {     \
    uint32_t img = flag_image(fl);                                                            \
    T q, hi = T(dividend >> (8 * sizeof(T))), lo = T(dividend);                               \
    asm(BT86_LOAD_FLAGS "mov %" W "[lo], %" W "[acc]\n\t" INSN " %" W "[s]\n\tmov %" W "[acc], %" W "[q]" \
        BT86_SAVE_FLAGS                                                                       \
        : [acc] "+a"(img), [q] "=&r"(q), "+d"(hi) : [lo] "r"(lo), [s] "r"(s) : "cc");         \
    fl = flags_from_image(img);                                                               \
    rem = hi;                                                                                 \
    return q;                                                                                 \
  }
BT86_DIVIDE8(false, "divb")
BT86_DIVIDE8(true, "idivb")
BT86_WIDE_WIDTHS(BT86_DIVIDE, false, "div")
BT86_WIDE_WIDTHS(BT86_DIVIDE, true, "idiv")

// BSWAP with a 16-bit operand is undefined in the manuals; run the host's (66 0F C8 = bswap ax).
inline uint16_t bswap16_undefined(uint16_t v) {
  uint32_t ax = v;
  asm(".byte 0x66, 0x0f, 0xc8" : "+a"(ax));
  return uint16_t(ax);
}

#undef BT86_BINARY
#undef BT86_IMUL_TRUNC
#undef BT86_UNARY
#undef BT86_SHIFT
#undef BT86_DOUBLE_SHIFT
#undef BT86_MULTIPLY8
#undef BT86_MULTIPLY
#undef BT86_DIVIDE8
#undef BT86_DIVIDE
#undef BT86_ALL_WIDTHS
#undef BT86_WIDE_WIDTHS
#undef BT86_LOAD_FLAGS
#undef BT86_SAVE_FLAGS
#undef BT86_NO_LOAD

}  // namespace bt86::host
