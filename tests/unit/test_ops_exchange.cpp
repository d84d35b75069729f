// XCHG, XADD, CMPXCHG and CMPXCHG8B with both comparison outcomes.
#include "test_ops_util.h"

using namespace bt86;

TEST_CASE("XCHG registers and memory") {
  CpuFixture f;
  f.poke<uint8_t>(CpuFixture::kDataAddr, 0x11);
  run_asm(f, "mov eax, 1\nmov ecx, 2\nxchg eax, ecx\nmov bl, 0x22\nxchg [0x8000], bl\nmov edx, 0xaaaa1234\nmov esi, 0x5678\nxchg dx, si");
  CHECK(f.cpu.s.r[EAX] == 2);
  CHECK(f.cpu.s.r[ECX] == 1);
  CHECK((f.cpu.s.r[EBX] & 0xFF) == 0x11);
  CHECK(f.peek<uint8_t>(CpuFixture::kDataAddr) == 0x22);
  CHECK(f.cpu.s.r[EDX] == 0xaaaa5678u);
  CHECK(f.cpu.s.r[ESI] == 0x1234);
}

TEST_CASE("XADD exchanges and adds; same register gets the sum") {
  CpuFixture f;
  f.poke<uint32_t>(CpuFixture::kDataAddr, 10);
  run_asm(f, "mov ecx, 5\nlock xadd [0x8000], ecx\nmov eax, 3\nxadd eax, eax\nmov dl, 0xff\nmov bl, 1\nxadd dl, bl");
  CHECK(f.peek<uint32_t>(CpuFixture::kDataAddr) == 15);
  CHECK(f.cpu.s.r[ECX] == 10);
  CHECK(f.cpu.s.r[EAX] == 6);
  CHECK((f.cpu.s.r[EDX] & 0xFF) == 0);
  CHECK((f.cpu.s.r[EBX] & 0xFF) == 0xff);
  CHECK(f.cpu.flag(fl::CF));
  CHECK(f.cpu.flag(fl::ZF));
}

TEST_CASE("CMPXCHG: equal stores the source, unequal loads the accumulator") {
  CpuFixture f;
  f.poke<uint32_t>(CpuFixture::kDataAddr, 100);
  run_asm(f, "mov eax, 100\nmov ecx, 200\nlock cmpxchg [0x8000], ecx");
  CHECK(f.peek<uint32_t>(CpuFixture::kDataAddr) == 200);
  CHECK(f.cpu.s.r[EAX] == 100);
  CHECK(f.cpu.flag(fl::ZF));

  run_asm(f, "mov eax, 5\nmov ecx, 300\ncmpxchg [0x8000], ecx");
  CHECK(f.peek<uint32_t>(CpuFixture::kDataAddr) == 200);
  CHECK(f.cpu.s.r[EAX] == 200);
  CHECK(!f.cpu.flag(fl::ZF));
  CHECK(f.cpu.flag(fl::CF));  // flags of CMP 5, 200

  run_asm(f, "mov eax, 0x1111\nmov ebx, 0x2211\nmov ecx, 0x33\ncmpxchg bl, cl");  // AL == BL
  CHECK(f.cpu.s.r[EBX] == 0x2233);
  CHECK(f.cpu.flag(fl::ZF));
}

TEST_CASE("CMPXCHG8B: both outcomes") {
  CpuFixture f;
  f.poke<uint64_t>(CpuFixture::kDataAddr, 0x1122334455667788ull);
  run_asm(f, "mov edx, 0x11223344\nmov eax, 0x55667788\nmov ecx, 0xaabbccdd\nmov ebx, 0xeeff0011\ncmpxchg8b [0x8000]");
  CHECK(f.peek<uint64_t>(CpuFixture::kDataAddr) == 0xaabbccddeeff0011ull);
  CHECK(f.cpu.flag(fl::ZF));
  CHECK(f.cpu.s.r[EAX] == 0x55667788u);

  run_asm(f, "xor edx, edx\nxor eax, eax\nmov ecx, 1\nmov ebx, 2\nstc\ncmpxchg8b [0x8000]");
  CHECK(f.peek<uint64_t>(CpuFixture::kDataAddr) == 0xaabbccddeeff0011ull);
  CHECK(!f.cpu.flag(fl::ZF));
  CHECK(f.cpu.flag(fl::CF));  // only ZF changes
  CHECK(f.cpu.s.r[EDX] == 0xaabbccddu);
  CHECK(f.cpu.s.r[EAX] == 0xeeff0011u);
}
