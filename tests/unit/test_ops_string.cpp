// String instructions: REP MOVS forward/backward, REP STOS across the per-call chunk, REPE CMPS
// and REPNE SCAS stopping, LODS, segment overrides (source only), 16-bit addressing, ECX = 0,
// precise faults in the middle of a REP, and INS/OUTS through a test port device.
#include <vector>
#include "devices/io_bus.h"
#include "test_ops_util.h"

using namespace bt86;

namespace {

constexpr uint32_t kSrc = CpuFixture::kDataAddr, kDst = 0x9000;

void fill_pattern(CpuFixture& f, uint32_t at, unsigned n) {
  for (unsigned k = 0; k < n; ++k) f.poke<uint8_t>(at + k, uint8_t(0x40 + k));
}

// A port device at 0x300: reads return 0x10, 0x11, ...; writes are recorded.
struct TestPort : Device {
  uint32_t next = 0x10;
  std::vector<uint32_t> written;
  const char* name() const override { return "test-port"; }
  uint32_t io_read(uint16_t, unsigned) override { return next++; }
  void io_write(uint16_t, uint32_t v, unsigned) override { written.push_back(v); }
};

}  // namespace

TEST_CASE("REP MOVSB forward and backward") {
  CpuFixture f;
  fill_pattern(f, kSrc, 18);
  run_asm(f, "cld\nmov esi, 0x8000\nmov edi, 0x9000\nmov ecx, 16\nrep movsb");
  for (unsigned k = 0; k < 16; ++k) CHECK(f.peek<uint8_t>(kDst + k) == 0x40 + k);
  CHECK(f.cpu.s.r[ECX] == 0);
  CHECK(f.cpu.s.r[ESI] == kSrc + 16);
  CHECK(f.cpu.s.r[EDI] == kDst + 16);

  run_asm(f, "std\nmov esi, 0x800f\nmov edi, 0x910f\nmov ecx, 16\nrep movsb\ncld");
  for (unsigned k = 0; k < 16; ++k) CHECK(f.peek<uint8_t>(kDst + 0x100 + k) == 0x40 + k);
  CHECK(f.cpu.s.r[ESI] == kSrc - 1);
  CHECK(f.cpu.s.r[EDI] == kDst + 0xFF);

  run_asm(f, "mov esi, 0x8000\nmov edi, 0x9200\nmov ecx, 4\nrep movsd\nmovsw");
  CHECK(f.peek<uint32_t>(kDst + 0x200 + 12) == 0x4f4e4d4cu);
  CHECK(f.peek<uint16_t>(kDst + 0x200 + 16) == 0x5150);
  CHECK(f.cpu.s.r[EDI] == kDst + 0x200 + 18);
}

TEST_CASE("REP STOSD longer than one chunk; REP with ECX = 0 does nothing") {
  CpuFixture f;
  run_asm(f, "mov eax, 0xa5a5a5a5\nmov edi, 0x10000\nmov ecx, 3000\nrep stosd\nmov ebx, 1");
  CHECK(f.cpu.s.r[ECX] == 0);
  CHECK(f.cpu.s.r[EDI] == 0x10000 + 12000);
  CHECK(f.peek<uint32_t>(0x10000) == 0xa5a5a5a5u);
  CHECK(f.peek<uint32_t>(0x10000 + 11996) == 0xa5a5a5a5u);
  CHECK(f.peek<uint32_t>(0x10000 + 12000) == 0);
  CHECK(f.cpu.s.r[EBX] == 1);

  run_asm(f, "mov edi, 0x9000\nxor ecx, ecx\nmov al, 0x77\nrep stosb\nmov ecx, 5\ncmp ecx, 6\nxor ecx, ecx\nrepe cmpsb");
  CHECK(f.peek<uint8_t>(0x9000) != 0x77);
  CHECK(f.cpu.s.r[EDI] == 0x9000);
}

TEST_CASE("REPE CMPSB stops at the first difference; REPNE SCASB at the first match") {
  CpuFixture f;
  const char a[] = "abcdef", b[] = "abcxef";
  for (unsigned k = 0; k < 6; ++k) {
    f.poke<uint8_t>(kSrc + k, a[k]);
    f.poke<uint8_t>(kDst + k, b[k]);
  }
  run_asm(f, "mov esi, 0x8000\nmov edi, 0x9000\nmov ecx, 6\nrepe cmpsb");
  CHECK(f.cpu.s.r[ECX] == 2);
  CHECK(f.cpu.s.r[ESI] == kSrc + 4);
  CHECK(!f.cpu.flag(fl::ZF));
  CHECK(f.cpu.flag(fl::CF));  // 'd' < 'x'

  run_asm(f, "mov edi, 0x9000\nmov al, 'x'\nmov ecx, 6\nrepne scasb");
  CHECK(f.cpu.s.r[ECX] == 2);
  CHECK(f.cpu.s.r[EDI] == kDst + 4);
  CHECK(f.cpu.flag(fl::ZF));

  run_asm(f, "mov esi, 0x8000\nmov edi, 0x8000\nmov ecx, 6\nrepe cmpsb");  // all equal: runs out
  CHECK(f.cpu.s.r[ECX] == 0);
  CHECK(f.cpu.flag(fl::ZF));
}

TEST_CASE("LODS/STOS/SCAS with word and dword elements") {
  CpuFixture f;
  f.poke<uint32_t>(kSrc, 0x11223344);
  run_asm(f, "mov esi, 0x8000\nlodsd\nmov ebx, eax\nmov esi, 0x8000\nlodsw\nmov edi, 0x9000\nstosw\nmov edi, 0x9000\nscasw");
  CHECK(f.cpu.s.r[EBX] == 0x11223344u);
  CHECK(f.cpu.s.r[ESI] == kSrc + 2);
  CHECK(f.peek<uint16_t>(kDst) == 0x3344);
  CHECK(f.cpu.flag(fl::ZF));
}

TEST_CASE("Segment override applies to the source only") {
  CpuFixture f;
  Segment fs = f.cpu.s.seg[FS];
  fs.base = 0x100;
  f.cpu.set_seg(FS, fs);
  f.poke<uint8_t>(0x100 + kSrc, 0x5a);
  run_asm(f, "mov esi, 0x8000\nmov edi, 0x9000\nfs movsb\nmov al, 0x33\nfs stosb");
  CHECK(f.peek<uint8_t>(kDst) == 0x5a);
  CHECK(f.peek<uint8_t>(kDst + 1) == 0x33);  // ES:EDI, not FS
  CHECK(f.peek<uint8_t>(0x100 + kDst + 1) != 0x33);
}

TEST_CASE("16-bit addressing uses SI/DI/CX and wraps at 64 KiB") {
  CpuFixture f(false);
  fill_pattern(f, 0xFFFE, 4);  // 0xFFFE, 0xFFFF, then 0x10000.. (not reached: SI wraps to 0)
  f.poke<uint8_t>(0x0000, 0x99);
  run_asm(f, "mov esi, 0x1234fffe\nmov edi, 0x9000\nmov ecx, 0x10003\nrep movsb");
  CHECK(f.peek<uint8_t>(0x9000) == 0x40);
  CHECK(f.peek<uint8_t>(0x9001) == 0x41);
  CHECK(f.peek<uint8_t>(0x9002) == 0x99);
  CHECK(f.cpu.s.r[ESI] == 0x12340001u);
  CHECK(f.cpu.s.r[ECX] == 0x10000u);

  CpuFixture p;  // 32-bit code with an address-size prefix
  run_asm(p, "mov esi, 0xffff8000\nmov edi, 0xffff9000\nmov ecx, 0xffff0002\na16 rep movsb");
  CHECK(p.cpu.s.r[ECX] == 0xffff0000u);
  CHECK(p.cpu.s.r[EDI] == 0xffff9002u);
}

TEST_CASE("A fault in the middle of REP STOSB leaves the completed iterations") {
  CpuFixture f;
  Segment es = f.cpu.s.seg[ES];
  es.limit = 0x9003;
  f.cpu.set_seg(ES, es);
  f.load_asm("mov edi, 0x9000\nmov ecx, 8\nmov al, 0xee\nrep stosb\nhlt");
  f.run();
  CHECK(f.faulted(vec::GP));
  CHECK(f.cpu.s.r[ECX] == 4);
  CHECK(f.cpu.s.r[EDI] == 0x9004);
  CHECK(f.peek<uint8_t>(0x9003) == 0xee);
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 12);  // at the REP STOSB
}

TEST_CASE("REP INSB/OUTSW and IN/OUT through a port device") {
  CpuFixture f;
  TestPort port;
  f.io.register_ports(0x300, 4, &port);
  f.io.register_ports(0x80, 1, &port);
  run_asm(f, "mov dx, 0x300\nmov edi, 0x9000\nmov ecx, 3\nrep insb\nin al, dx\nmov ebx, eax\nin ax, 0x80");
  CHECK(f.peek<uint8_t>(0x9000) == 0x10);
  CHECK(f.peek<uint8_t>(0x9002) == 0x12);
  CHECK((f.cpu.s.r[EBX] & 0xFF) == 0x13);
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x14);

  f.poke<uint32_t>(kSrc, 0xbbbbaaaa);
  run_asm(f, "mov dx, 0x302\nmov esi, 0x8000\nmov ecx, 2\nrep outsw\nmov eax, 0x12345678\nmov dx, 0x300\nout dx, eax\nmov al, 5\nout 0x80, al");
  REQUIRE(port.written.size() == 4);
  CHECK(port.written[0] == 0xaaaa);
  CHECK(port.written[1] == 0xbbbb);
  CHECK(port.written[2] == 0x12345678u);
  CHECK(port.written[3] == 5);
}

TEST_CASE("IN/OUT/INS check I/O permission before touching the port") {
  CpuFixture f;
  TestPort port;
  f.io.register_ports(0x300, 4, &port);
  // CPL 3 > IOPL 0 and a TSS whose I/O bitmap offset lies beyond its limit: every port denied.
  f.poke<uint16_t>(0x66, 0xFFFF);  // TSS (base 0) I/O map base
  f.cpu.s.tr.limit = 0x67;
  f.cpu.set_cpl(3);
  run_asm(f, "mov dx, 0x300\nin al, dx");
  CHECK(f.faulted(vec::GP));
  CHECK(port.next == 0x10);
  run_asm(f, "mov dx, 0x300\nmov edi, 0x9000\nmov ecx, 2\nrep insb");
  CHECK(f.faulted(vec::GP));
  CHECK(f.cpu.s.r[ECX] == 2);
  CHECK(port.next == 0x10);
}
