// BT BTS BTR BTC (immediate and register offsets, register and memory operands, offsets that
// reach outside the memory operand in both directions), BSF BSR and BSWAP.
#include "test_ops_util.h"

using namespace bt86;

TEST_CASE("BT family on registers: offset modulo the operand width") {
  CpuFixture f;
  run_asm(f, "mov eax, 8\nbt eax, 3");
  CHECK(f.cpu.flag(fl::CF));
  run_asm(f, "mov eax, 8\nmov edx, 35\nbt eax, edx");
  CHECK(f.cpu.flag(fl::CF));
  run_asm(f, "stc\nxor ecx, ecx\nmov edx, 33\nbts ecx, edx");
  CHECK(f.cpu.s.r[ECX] == 2);
  CHECK(!f.cpu.flag(fl::CF));
  run_asm(f, "mov eax, 0xffff\nbtr ax, 15\nbtc ax, 0");
  CHECK(f.cpu.s.r[EAX] == 0x7FFE);
  CHECK(f.cpu.flag(fl::CF));  // from BTC: bit 0 was 1
}

TEST_CASE("BT family on memory with immediate offsets") {
  CpuFixture f;
  f.poke<uint32_t>(CpuFixture::kDataAddr, 0xFF);
  run_asm(f, "btr dword [0x8000], 0\nsetc bl\nbtc word [0x8000], 15\nbts dword [0x8000], 40");
  CHECK((f.cpu.s.r[EBX] & 0xFF) == 1);
  CHECK(f.peek<uint32_t>(CpuFixture::kDataAddr) == 0x81FE);  // 40 & 31 = bit 8
}

TEST_CASE("BT family on memory with a register offset addresses beyond the operand") {
  CpuFixture f;
  f.poke<uint32_t>(CpuFixture::kDataAddr + 4, 0x1);
  run_asm(f, "mov ecx, 32\nbt dword [0x8000], ecx");
  CHECK(f.cpu.flag(fl::CF));

  f.poke<uint32_t>(CpuFixture::kDataAddr - 4, 0x80000000);
  run_asm(f, "mov ecx, -1\nbtr dword [0x8000], ecx");  // bit 31 of the dword below
  CHECK(f.cpu.flag(fl::CF));
  CHECK(f.peek<uint32_t>(CpuFixture::kDataAddr - 4) == 0);

  f.poke<uint16_t>(CpuFixture::kDataAddr + 2, 0);
  run_asm(f, "mov ebx, 0x8000\nmov cx, 17\nbts word [ebx], cx");
  CHECK(!f.cpu.flag(fl::CF));
  CHECK(f.peek<uint16_t>(CpuFixture::kDataAddr + 2) == 2);

  f.poke<uint32_t>(CpuFixture::kDataAddr + 0x100, 0);
  run_asm(f, "mov edx, 0x800 + 5\nbtc dword [0x8000], edx");  // 0x805 bits = 0x100 bytes + bit 5
  CHECK(f.peek<uint32_t>(CpuFixture::kDataAddr + 0x100) == 0x20);
}

TEST_CASE("BSF/BSR find the lowest/highest set bit; a zero source sets ZF and keeps the destination") {
  CpuFixture f;
  run_asm(f, "mov ecx, 0xf0\nbsf eax, ecx\nbsr edx, ecx");
  CHECK(f.cpu.s.r[EAX] == 4);
  CHECK(f.cpu.s.r[EDX] == 7);
  CHECK(!f.cpu.flag(fl::ZF));

  run_asm(f, "mov eax, 0x1234\nxor ecx, ecx\nbsf eax, ecx");
  CHECK(f.cpu.s.r[EAX] == 0x1234);
  CHECK(f.cpu.flag(fl::ZF));

  f.poke<uint16_t>(CpuFixture::kDataAddr, 0x8000);
  run_asm(f, "mov ebx, 0xffffffff\nbsr bx, [0x8000]");
  CHECK(f.cpu.s.r[EBX] == 0xffff000f);
}

TEST_CASE("BSWAP reverses the bytes of a 32-bit register") {
  CpuFixture f;
  run_asm(f, "mov esi, 0x12345678\nbswap esi");
  CHECK(f.cpu.s.r[ESI] == 0x78563412u);
}
