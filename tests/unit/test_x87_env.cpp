// x87 state images: FNSTENV/FLDENV in the four layouts, FNSAVE/FRSTOR round trip (and the image
// against the host's), tag recomputation on load, FXSAVE layout (abridged tag byte) and FXRSTOR
// round trip, FXSAVE/FXRSTOR #GP on misalignment and reserved MXCSR bits.
#include <cmath>
#include "test_x87_fixture.h"
#include "cpu/fpu_env.h"

using namespace bt86;

namespace {

// A state with values of every tag class, a flag and a non-default control word:
// fninit(2) fldcw [0x8000](6) fld1(2) fldz(2) fld qword [0x8008](6) fdiv dword [0x8010](6)
constexpr const char* kSetup =
    "fldcw [0x8000]\nfld1\nfldz\nfld qword [0x8008]\nfdiv dword [0x8010]\n";
constexpr uint32_t kLastInsn = CpuFixture::kCodeAddr + 2 + 6 + 2 + 2 + 6;  // the FDIV

void setup_data(X87Fixture& f) {
  f.put<uint16_t>(kData, 0x0B7F);  // round up, all masked
  f.put<double>(kData + 8, 1.0);
  f.put<float>(kData + 0x10, 3.0f);
}

uint32_t u32(X87Fixture& f, uint32_t a) { return f.peek<uint32_t>(a); }
uint16_t u16(X87Fixture& f, uint32_t a) { return f.peek<uint16_t>(a); }

}  // namespace

TEST_CASE("x87: FNSTENV 32-bit protected-mode layout") {
  X87Fixture f;
  setup_data(f);
  f.run_asm(std::string(kSetup) + "fnstenv [0x8100]");
  const uint32_t e = kData + 0x100;
  const uint16_t sw = uint16_t((5u << 11) | fsw::C1 | fsw::PE);  // 1/3 rounded up
  CHECK(u32(f, e + 0) == 0xFFFF0B7Fu);
  CHECK(u32(f, e + 4) == (0xFFFF0000u | sw));
  CHECK(u32(f, e + 8) == 0xFFFF13FFu);   // R5 valid (1/3), R6 zero, R7 valid
  CHECK(u32(f, e + 12) == kLastInsn);
  CHECK(u32(f, e + 16) == (0x08u | (0x035u << 16)));  // FCS, FOP = D8 35
  CHECK(u32(f, e + 20) == kData + 0x10);
  CHECK(u32(f, e + 24) == 0xFFFF0010u);
  CHECK(f.fpu().cw == 0x0B7F);  // already all masked
}

TEST_CASE("x87: FNSTENV 16-bit protected-mode layout") {
  X87Fixture f;
  setup_data(f);
  f.run_asm(std::string(kSetup) + "o16 fnstenv [0x8100]");
  const uint32_t e = kData + 0x100;
  CHECK(u16(f, e + 0) == 0x0B7F);
  CHECK(u16(f, e + 2) == ((5u << 11) | fsw::C1 | fsw::PE));
  CHECK(u16(f, e + 4) == 0x13FF);
  CHECK(u16(f, e + 6) == (kLastInsn & 0xFFFF));
  CHECK(u16(f, e + 8) == 0x08);
  CHECK(u16(f, e + 10) == ((kData + 0x10) & 0xFFFF));
  CHECK(u16(f, e + 12) == 0x10);
}

TEST_CASE("x87: FNSTENV real-mode layouts hold linear pointers and the opcode") {
  X87Fixture f(/*protected32=*/false);
  setup_data(f);
  // In 16-bit code the same instructions are shorter: the memory forms take a 16-bit disp.
  f.run_asm(std::string(kSetup) + "fnstenv [0x8100]\no32 fnstenv [0x8200]");
  const uint32_t fdiv = CpuFixture::kCodeAddr + 2 + 4 + 2 + 2 + 4;
  const uint32_t e16 = kData + 0x100, e32 = kData + 0x200;
  CHECK(u16(f, e16 + 0) == 0x0B7F);
  CHECK(u16(f, e16 + 6) == (fdiv & 0xFFFF));
  CHECK(u16(f, e16 + 8) == (((fdiv >> 16) << 12) | 0x036));  // D8 36 = fdiv [disp16]
  CHECK(u16(f, e16 + 10) == ((kData + 0x10) & 0xFFFF));
  CHECK(u16(f, e16 + 12) == 0);
  CHECK(u32(f, e32 + 0) == 0xFFFF0B7Fu);
  CHECK(u32(f, e32 + 12) == (0xFFFF0000u | fdiv));
  CHECK(u32(f, e32 + 16) == 0x036u);
  CHECK(u32(f, e32 + 20) == (0xFFFF0000u | (kData + 0x10)));
  CHECK(u32(f, e32 + 24) == 0);
}

TEST_CASE("x87: FLDENV recomputes tags and ES from the loaded words") {
  X87Fixture f;
  // Stack: ST0 = 0 (R6), ST1 = 1 (R7). Image claims everything valid, IE set and unmasked.
  const uint32_t e = kData + 0x100;
  f.put<uint32_t>(e + 0, 0x037E);
  f.put<uint32_t>(e + 4, (6u << 11) | fsw::IE);
  f.put<uint32_t>(e + 8, 0x0000);
  f.run_asm("fld1\nfldz\nfldenv [0x8100]");
  // R0-R5 hold +0 from reset (zero), R6 = 0 (zero), R7 = 1 (valid).
  CHECK(f.fpu().tw == 0x1555);
  CHECK((f.fpu().sw & (fsw::ES | fsw::B)) == (fsw::ES | fsw::B));
}

TEST_CASE("x87: FNSAVE/FRSTOR round trip; FNSAVE reinitialises; image matches the host") {
  X87Fixture plain;
  setup_data(plain);
  plain.run_asm(kSetup);

  X87Fixture f;
  setup_data(f);
  f.run_asm(std::string(kSetup) + "fnsave [0x8100]\nfnstcw [0x8300]\nfnstsw [0x8302]\n"
            "fld1\nfldpi\nfsqrt\nfrstor [0x8100]");
  CHECK(f.peek<uint16_t>(kData + 0x300) == fcw::INIT);
  CHECK(f.peek<uint16_t>(kData + 0x302) == 0);
  CHECK(f.fpu().cw == plain.fpu().cw);
  CHECK(f.fpu().sw == plain.fpu().sw);
  CHECK(f.fpu().tw == plain.fpu().tw);
  CHECK(f.fpu().fip == plain.fpu().fip);
  CHECK(f.fpu().fdp == plain.fpu().fdp);
  CHECK(f.fpu().fop == plain.fpu().fop);
  for (unsigned i = 0; i < 8; ++i) CHECK(f.st(i) == plain.st(i));

  // The same state built natively: control/status/tag words and registers agree byte for byte.
  struct { uint16_t cw; uint8_t pad[6]; double one; float three; } data = {0x0B7F, {}, 1.0, 3.0f};
  uint8_t host[108];
  asm volatile("fninit\n\tfldcw (%[d])\n\tfld1\n\tfldz\n\tfldl 8(%[d])\n\tfdivs 16(%[d])\n\tfnsave %[img]"
               : [img] "=m"(host) : [d] "r"(&data) : "memory", "st", "st(1)", "st(2)", "st(3)",
                 "st(4)", "st(5)", "st(6)", "st(7)");
  uint8_t guest[108];
  f.mem.copy_from(kData + 0x100, guest, 108);
  CHECK(std::memcmp(guest, host, 12) == 0);
  CHECK(std::memcmp(guest + 28, host + 28, 80) == 0);
}

TEST_CASE("x87: o16 FNSAVE/FRSTOR uses the 94-byte image") {
  X87Fixture f;
  setup_data(f);
  f.put<uint8_t>(kData + 0x100 + 94, 0xEE);
  f.run_asm(std::string(kSetup) + "o16 fnsave [0x8100]\no16 frstor [0x8100]");
  CHECK(f.peek<uint8_t>(kData + 0x100 + 94) == 0xEE);
  CHECK(f.get_ext(kData + 0x100 + 14) == f.st(0));
  CHECK(f.fpu().regs[f.fpu().phys(0)] == 1.0L / 3);
  CHECK(f.top() == 5);
}

TEST_CASE("x87: FXSAVE layout with the abridged tag byte, and the FXRSTOR round trip") {
  X87Fixture f;
  setup_data(f);
  for (unsigned i = 0; i < 8; ++i) std::memset(f.fpu().xmm[i], int(0x11 * (i + 1)), 16);
  f.fpu().mxcsr = 0x1FA0;
  f.run_asm(std::string(kSetup) + "fxsave [0x8200]");
  const uint32_t a = kData + 0x200;
  CHECK(u16(f, a + 0) == 0x0B7F);
  CHECK(u16(f, a + 2) == ((5u << 11) | fsw::C1 | fsw::PE));
  CHECK(f.peek<uint8_t>(a + 4) == 0xE0);  // R5 R6 R7 in use
  CHECK(u16(f, a + 6) == 0x035);
  CHECK(u32(f, a + 8) == kLastInsn);
  CHECK(u16(f, a + 12) == 0x08);
  CHECK(u32(f, a + 16) == kData + 0x10);
  CHECK(u16(f, a + 20) == 0x10);
  CHECK(u32(f, a + 24) == 0x1FA0);
  CHECK(u32(f, a + 28) == kMxcsrMask);
  for (unsigned i = 0; i < 8; ++i) {
    CAPTURE(i);
    CHECK(f.get_ext(a + 32 + 16 * i) == f.st(i));
    CHECK(f.peek<uint32_t>(a + 32 + 16 * i + 10) == 0);
    CHECK(f.peek<uint8_t>(a + 160 + 16 * i) == 0x11 * (i + 1));
  }

  X87Fixture plain;
  setup_data(plain);
  plain.run_asm(kSetup);
  X87Fixture g;
  setup_data(g);
  g.run_asm(std::string(kSetup) + "fxsave [0x8200]\nfninit\nfld1\nfxrstor [0x8200]");
  CHECK(g.fpu().cw == plain.fpu().cw);
  CHECK(g.fpu().sw == plain.fpu().sw);
  CHECK(g.fpu().tw == plain.fpu().tw);  // full tags rebuilt from the abridged byte
  CHECK(g.fpu().fip == plain.fpu().fip);
  for (unsigned i = 0; i < 8; ++i) CHECK(g.st(i) == plain.st(i));
}

TEST_CASE("x87: FXSAVE/FXRSTOR fault on misalignment and FXRSTOR on reserved MXCSR bits") {
  X87Fixture f;
  f.run_asm("fxsave [0x8208]");
  CHECK(f.faulted(vec::GP));
  CHECK(f.cpu.last_exception.error == 0);
  X87Fixture g;
  g.put<uint32_t>(kData + 0x200 + 24, 0x1FC0);  // DAZ: not in kMxcsrMask
  g.run_asm("fld1\nfxrstor [0x8200]");
  CHECK(g.faulted(vec::GP));
  CHECK(g.top() == 7);  // nothing loaded
  X87Fixture h;
  h.run_asm("fxrstor [0x8204]");
  CHECK(h.faulted(vec::GP));
}

TEST_CASE("x87: environment images round-trip the pointers in every layout") {
  FpuState src;
  src.cw = 0x027F;
  src.sw = 0x3A21;
  src.tw = 0x0FFF;
  src.fop = 0x5A5;
  src.fcs = 0x0123;
  src.fip = 0x4567;
  src.fds = 0x0089;
  src.fdp = 0xABCD;
  for (EnvLayout l : {EnvLayout::Real16, EnvLayout::Protected16, EnvLayout::Real32, EnvLayout::Protected32}) {
    CAPTURE(int(l));
    uint8_t image[28] = {};
    store_env(src, l, image);
    FpuState dst;
    const uint16_t tags = load_env(dst, l, image);
    CHECK(dst.cw == src.cw);
    CHECK(dst.sw == src.sw);
    CHECK(tags == src.tw);
    const bool real = l == EnvLayout::Real16 || l == EnvLayout::Real32;
    // Real-mode images keep linear addresses (selector * 16 + offset).
    CHECK((uint32_t(dst.fcs) << 4) + dst.fip == (real ? 0x1230u + 0x4567 : (uint32_t(0x123) << 4) + 0x4567));
    CHECK((uint32_t(dst.fds) << 4) + dst.fdp == (uint32_t(0x89) << 4) + 0xABCD);
    if (l != EnvLayout::Protected16) CHECK(dst.fop == src.fop);
  }
}

TEST_CASE("x87: tags recomputed on load agree with the host for every value class") {
  const Ext80 values[] = {
      ext80(0.0L), ext80(-1.0L),
      ext80(0x0000, 0x0000000000000001ull),  // denormal
      ext80(0x0000, 0x8000000000000000ull),  // pseudo-denormal
      ext80(0x4000, 0x4000000000000000ull),  // unnormal
      ext80(0x7FFF, 0x8000000000000000ull),  // infinity
      ext80(0x7FFF, 0xC000000000000000ull),  // QNaN
      ext80(0x7FFF, 0x0000000000000001ull),  // pseudo-NaN
  };
  for (const Ext80& v : values) {
    CAPTURE(v);
    alignas(16) uint8_t area[512] = {};
    area[0] = 0x7F; area[1] = 0x03;  // FCW
    area[4] = 0x01;                   // R0 in use; TOP = 0
    area[24] = 0x80; area[25] = 0x1F; // MXCSR
    std::memcpy(area + 32, &v.mant, 8);
    std::memcpy(area + 40, &v.se, 2);
    uint8_t env[28];
    asm volatile("fxrstor %[a]\n\tfnstenv %[e]\n\tfninit" : [e] "=m"(env) : [a] "m"(area) : "memory");
    FpuState s;
    std::memcpy(&s.regs[0], area + 32, 10);
    s.load_tags(0xFFFC);
    CHECK(s.tw == uint16_t(env[8] | (env[9] << 8)));
  }
}
