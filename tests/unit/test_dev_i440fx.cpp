// i440FX host bridge: identity, PAM registers switching what reads and writes of the legacy BIOS
// area hit (ROM vs RAM, per 16 KiB / 64 KiB chunk), SMRAM fixed closed, and decoded code in the
// shadowed area invalidated when a PAM switch or a device write changes its bytes.
#include <doctest/doctest.h>

#include <vector>

#include "cpu_fixture.h"
#include "devices/i440fx.h"
#include "machine/code_tracking.h"

using namespace bt86;

namespace {

constexpr uint32_t kRomFill = 0xA5A5A5A5u;

struct Chipset {
  IoBus& io;
  PhysMem& mem;
  PciBus bus;
  I440fx nb;
  Chipset(IoBus& i, PhysMem& m) : io(i), mem(m), bus(i, m), nb(m) {
    bus.attach(0, &nb);
    nb.reset();
  }
  void write_cfg(uint8_t reg, uint8_t v) {
    io.out(0xCF8, 0x80000000u | (reg & 0xFC), 4);
    io.out(uint16_t(0xCFC + (reg & 3)), v, 1);
  }
  uint32_t read_cfg(uint8_t reg, unsigned size) {
    io.out(0xCF8, 0x80000000u | (reg & 0xFC), 4);
    return io.in(uint16_t(0xCFC + (reg & 3)), size);
  }
};

// 256 KiB of ROM over 0xC0000-0xFFFFF filled with 0xA5.
void add_bios_rom(PhysMem& mem) {
  std::vector<uint8_t> rom(0x40000, 0xA5);
  mem.add_rom(0xC0000, rom, "test rom");
}

}  // namespace

TEST_CASE("i440FX identity and SMRAM fixed closed") {
  IoBus io;
  PhysMem mem(2 << 20);
  Chipset c(io, mem);
  CHECK(c.read_cfg(0x00, 4) == 0x12378086u);
  CHECK(c.read_cfg(0x08, 4) == 0x06000002u);
  CHECK(c.read_cfg(0x72, 1) == 0x02);
  c.write_cfg(0x72, 0x4A);
  CHECK(c.read_cfg(0x72, 1) == 0x02);
}

TEST_CASE("i440FX PAM: reads and writes go to ROM or RAM as RE/WE say") {
  IoBus io;
  PhysMem mem(2 << 20);
  add_bios_rom(mem);
  Chipset c(io, mem);
  const uint32_t f = 0xF1234, e = 0xE4010;  // 0xE4000 is PAM 0x5E high nibble
  for (uint32_t a : {f, e}) {
    CHECK(mem.read(a, 4) == kRomFill);  // power-on: everything to PCI (the ROM)
    mem.write(a, 0x11111111u, 4);       // dropped
    CHECK(mem.read(a, 4) == kRomFill);
  }
  CHECK(mem.page(f).host != mem.ram() + 0xF1000);

  c.write_cfg(0x59, 0x20);  // F0000: WE only: reads ROM, writes RAM
  mem.write(f, 0x22222222u, 4);
  CHECK(mem.read(f, 4) == kRomFill);
  c.write_cfg(0x59, 0x30);  // RE|WE: RAM, written directly through page()
  CHECK(mem.read(f, 4) == 0x22222222u);
  CHECK(mem.page(f).host == mem.ram() + 0xF1000);
  CHECK(mem.page(f).writable);
  mem.write(f, 0x33333333u, 4);
  c.write_cfg(0x59, 0x10);  // RE: read-only RAM; writes go to PCI (the ROM: dropped)
  CHECK(mem.read(f, 4) == 0x33333333u);
  mem.write(f, 0x44444444u, 4);
  CHECK(mem.read(f, 4) == 0x33333333u);
  CHECK_FALSE(mem.page(f).writable);
  CHECK(mem.read(e, 4) == kRomFill);  // other chunks untouched

  c.write_cfg(0x5E, 0x30);  // E4000-E7FFF RAM, E0000-E3FFF still ROM
  CHECK(mem.read(e, 4) == 0);
  CHECK(mem.read(0xE0000, 4) == kRomFill);
  CHECK(mem.shadow(0xE4000) == PhysMem::Shadow::ReadWrite);
  CHECK(mem.shadow(0xE8000) == PhysMem::Shadow::Pci);
  CHECK(c.read_cfg(0x5E, 1) == 0x30);
  c.write_cfg(0x59, 0xFF);  // reserved bits stay clear
  CHECK(c.read_cfg(0x59, 1) == 0x70);

  c.nb.reset();  // power-on: back to ROM, RAM contents kept underneath
  CHECK(mem.read(f, 4) == kRomFill);
  c.write_cfg(0x59, 0x10);
  CHECK(mem.read(f, 4) == 0x33333333u);
}

TEST_CASE("i440FX PAM: without a ROM behind it, a PCI-routed chunk is unmapped") {
  IoBus io;
  PhysMem mem(2 << 20);
  Chipset c(io, mem);
  CHECK(mem.read(0xC8000, 2) == 0xFFFF);
  c.write_cfg(0x5B, 0x03);
  mem.write(0xC8000, 0x1234, 2);
  CHECK(mem.read(0xC8000, 2) == 0x1234);
}

TEST_CASE("i440FX PAM: decoded code in the shadow area follows PAM switches and device writes") {
  CpuFixture f(/*protected32=*/false);
  std::vector<uint8_t> rom(0x10000, 0x90);
  rom[0] = 0xB8, rom[1] = 0x01, rom[2] = 0x00, rom[3] = 0xCB;  // mov ax, 1; retf
  f.mem.add_rom(0xE0000, rom, "test rom");
  Chipset c(f.io, f.mem);
  track_content_changes(f.mem, f.cpu);
  f.load_asm(R"(
    %macro pam 2
      mov eax, 0x80000000 | (%1 & 0xFC)
      mov dx, 0xCF8
      out dx, eax
      mov dx, 0xCFC + (%1 & 3)
      mov al, %2
      out dx, al
    %endmacro
      mov ax, 0xE000
      mov es, ax
      call 0xE000:0x0000               ; ROM: 1
      mov bx, ax
      pam 0x5E, 0x02                   ; write RAM, read ROM
      mov dword [es:0], 0xCB0002B8     ; mov ax, 2; retf  (into the RAM underneath)
      call 0xE000:0x0000               ; still the ROM: 1
      mov cx, ax
      pam 0x5E, 0x01                   ; read RAM: the switch must drop the ROM's decoded code
      call 0xE000:0x0000               ; 2
      mov si, ax
      mov dword [es:0], 0xCB0003B8     ; write-protected: dropped
      call 0xE000:0x0000               ; 2
      mov di, ax
      hlt
      call 0xE000:0x0000               ; after the device write below
      hlt
  )");
  f.run();
  CHECK(f.cpu.s.r[EBX] == 1);
  CHECK(f.cpu.s.r[ECX] == 1);
  CHECK((f.cpu.s.r[ESI] & 0xFFFF) == 2);
  CHECK((f.cpu.s.r[EDI] & 0xFFFF) == 2);
  // A device (DMA) writes new code into the shadow RAM: the decoded block must go.
  const uint8_t patch[] = {0xB8, 0x04, 0x00, 0xCB};
  f.mem.copy_to(0xE0000, patch, sizeof patch, /*force=*/true);
  f.run();
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 4);
}
