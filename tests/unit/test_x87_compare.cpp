// x87 compares and classification: FCOM/FUCOM/FICOM families (C0 C2 C3, pops, invalid on NaNs),
// FCOMI/FUCOMI (ZF PF CF set, OF SF AF cleared — also on an unmasked invalid, as hardware does), FTST and
// FXAM over every class, checked against the host.
#include "test_x87_fixture.h"

using namespace bt86;

namespace {

constexpr uint16_t kCmpMask = fsw::C0 | fsw::C2 | fsw::C3;
constexpr Ext80 kQNaN{0xC000000000000000ull, 0x7FFF};
constexpr Ext80 kSNaN{0x8000000000000001ull, 0x7FFF};

// ST1 = b, ST0 = a (80-bit), then `insn`.
X87Fixture* compare(X87Fixture& f, Ext80 a, Ext80 b, const std::string& insn, uint16_t cw = 0x037F) {
  f.put_ext(kData, b);
  f.put_ext(kData + 16, a);
  f.put<uint16_t>(kData + 32, cw);
  f.run_asm("fldcw [0x8020]\nfld tword [0x8000]\nfld tword [0x8010]\n" + insn);
  return &f;
}

}  // namespace

TEST_CASE("x87: FCOM sets C3 C2 C0 for less, equal, greater, unordered") {
  struct Case { Ext80 a, b; uint16_t cc; uint16_t flags; };
  const Case cases[] = {
      {ext80(1.0L), ext80(2.0L), fsw::C0, 0},
      {ext80(2.0L), ext80(2.0L), fsw::C3, 0},
      {ext80(3.0L), ext80(2.0L), 0, 0},
      {kQNaN, ext80(2.0L), kCmpMask, fsw::IE},  // FCOM: any NaN is invalid
      {ext80(-0.0L), ext80(0.0L), fsw::C3, 0},
  };
  for (const Case& c : cases) {
    X87Fixture f;
    compare(f, c.a, c.b, "fcom st1");
    CAPTURE(c.a);
    CHECK((f.fpu().sw & kCmpMask) == c.cc);
    CHECK((f.fpu().sw & fsw::EXCEPTIONS) == c.flags);
    CHECK(f.top() == 6);
  }
}

TEST_CASE("x87: FUCOM accepts QNaNs quietly but not SNaNs; pops of the P forms") {
  X87Fixture f;
  compare(f, kQNaN, ext80(1.0L), "fucom st1");
  CHECK((f.fpu().sw & kCmpMask) == kCmpMask);
  CHECK((f.fpu().sw & fsw::EXCEPTIONS) == 0);
  X87Fixture g;
  compare(g, kSNaN, ext80(1.0L), "fucomp st1");
  CHECK((g.fpu().sw & fsw::EXCEPTIONS) == fsw::IE);
  CHECK(g.top() == 7);
  X87Fixture h;
  compare(h, ext80(1.0L), ext80(1.0L), "fcompp");
  CHECK((h.fpu().sw & kCmpMask) == fsw::C3);
  CHECK(h.fpu().tw == 0xFFFF);
  X87Fixture k;
  compare(k, ext80(1.0L), ext80(1.0L), "fucompp");
  CHECK(k.top() == 0);
}

TEST_CASE("x87: memory and integer compares") {
  X87Fixture f;
  f.put<float>(kData + 0x40, 2.0f);
  f.put<double>(kData + 0x44, 0.5);
  f.put<int16_t>(kData + 0x4C, 1);
  f.put<int32_t>(kData + 0x4E, -7);
  compare(f, ext80(1.0L), ext80(9.0L), "fcom dword [0x8040]");
  CHECK((f.fpu().sw & kCmpMask) == fsw::C0);
  X87Fixture g;
  compare(g, ext80(1.0L), ext80(9.0L), "fcomp qword [0x8044]");
  CHECK((g.fpu().sw & kCmpMask) == 0);
  CHECK(g.top() == 7);
  X87Fixture h;
  h.put<int16_t>(kData + 0x4C, 1);
  compare(h, ext80(1.0L), ext80(9.0L), "ficom word [0x804c]");
  CHECK((h.fpu().sw & kCmpMask) == fsw::C3);
  X87Fixture k;
  k.put<int32_t>(kData + 0x4E, -7);
  compare(k, ext80(1.0L), ext80(9.0L), "ficomp dword [0x804e]");
  CHECK((k.fpu().sw & kCmpMask) == 0);
  CHECK(k.top() == 7);
}

TEST_CASE("x87: FCOMI family sets ZF PF CF and clears OF SF AF") {
  struct Case { const char* insn; Ext80 a, b; uint32_t flags; uint16_t ie; unsigned top; };
  const Case cases[] = {
      {"fcomi st0, st1", ext80(1.0L), ext80(2.0L), fl::CF, 0, 6},
      {"fcomi st0, st1", ext80(2.0L), ext80(2.0L), fl::ZF, 0, 6},
      {"fcomip st0, st1", ext80(3.0L), ext80(2.0L), 0, 0, 7},
      {"fcomi st0, st1", kQNaN, ext80(2.0L), fl::ZF | fl::PF | fl::CF, fsw::IE, 6},
      {"fucomi st0, st1", kQNaN, ext80(2.0L), fl::ZF | fl::PF | fl::CF, 0, 6},
      {"fucomip st0, st1", ext80(-1.0L), ext80(2.0L), fl::CF, 0, 7},
  };
  for (const Case& c : cases) {
    X87Fixture f;
    f.cpu.s.eflags = fl::FIXED1 | fl::OF | fl::SF | fl::AF | fl::DF;
    compare(f, c.a, c.b, c.insn);
    CAPTURE(c.insn);
    CAPTURE(c.a);
    CHECK(f.cpu.s.eflags == (fl::FIXED1 | fl::DF | c.flags));
    CHECK((f.fpu().sw & fsw::EXCEPTIONS) == c.ie);
    CHECK(f.top() == c.top);
  }
}

TEST_CASE("x87: FCOMI with IE unmasked writes the unordered EFLAGS and leaves the stack unchanged") {
  X87Fixture f;
  f.cpu.s.eflags = fl::FIXED1 | fl::OF | fl::SF;
  compare(f, kQNaN, ext80(2.0L), "fcomip st0, st1", 0x037E);
  // Intel and AMD hardware (and the host this runs on) write ZF PF CF = 1 and clear OF SF AF.
  CHECK(f.cpu.s.eflags == (fl::FIXED1 | fl::ZF | fl::PF | fl::CF));
  CHECK(f.top() == 6);
  CHECK((f.fpu().sw & (fsw::IE | fsw::ES)) == (fsw::IE | fsw::ES));
}

TEST_CASE("x87: FTST and FXAM classify like the host") {
  const Ext80 values[] = {
      ext80(0.0L), ext80(-0.0L), ext80(1.0L), ext80(-2.5L),
      ext80(0x0000, 0x0000000000000001ull),  // denormal
      ext80(0x8000, 0x8000000000000000ull),  // pseudo-denormal
      ext80(0x7FFF, 0x8000000000000000ull),  // +infinity
      ext80(0xFFFF, 0x8000000000000000ull),  // -infinity
      kQNaN, kSNaN,
      ext80(0x4000, 0x4000000000000000ull),  // unnormal (unsupported)
      ext80(0x7FFF, 0x0000000000000000ull),  // pseudo-infinity (unsupported)
  };
  for (const Ext80& v : values) {
    CAPTURE(v);
    uint8_t mem[16] = {};
    std::memcpy(mem, &v.mant, 8);
    std::memcpy(mem + 8, &v.se, 2);
    for (const char* insn : {"fxam", "ftst"}) {
      CAPTURE(insn);
      X87Fixture f;
      f.put_ext(kData, v);
      f.run_asm(std::string("fld tword [0x8000]\n") + insn);
      NativeX87 n;
      if (insn[1] == 'x') NATIVE_X87(n, 0x37F, mem, "fldt (%[m])\n\tfxam");
      else NATIVE_X87(n, 0x37F, mem, "fldt (%[m])\n\tftst");
      CHECK(f.fpu().sw == n.sw);
      CHECK(f.fpu().tw == n.tw);
    }
  }
  X87Fixture empty;
  empty.run_asm("fxam");
  CHECK((empty.fpu().sw & (fsw::C3 | fsw::C2 | fsw::C0)) == (fsw::C3 | fsw::C0));
}
