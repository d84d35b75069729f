// Helpers for the system-architecture unit tests (test_sys_*.cpp): a flat protected-mode fixture
// with ring-3 segments, an IDT and a TSS at fixed addresses, builders for gate and TSS
// descriptors in guest memory, and direct entry into ring 3 or virtual-8086 mode.
#pragma once
#include <string>
#include "cpu/descriptors.h"
#include "cpu_fixture.h"

namespace bt86 {

// True if calling `f` raises exactly GuestFault{vector, error}.
template <class F> bool faults_with(F&& f, uint8_t vector, int32_t error) {
  try {
    f();
  } catch (const GuestFault& g) {
    return g.vector == vector && g.error == error;
  }
  return false;
}

struct SysFixture : CpuFixture {
  // Memory layout (code from CpuFixture at 0x1000, GDT at 0x500).
  static constexpr uint32_t kIdtAddr = 0x10000;
  static constexpr uint32_t kTssAddr = 0x11000, kTss2Addr = 0x12000;
  static constexpr uint32_t kRing0StackTop = 0x20000, kRing3StackTop = 0x30000;
  static constexpr uint32_t kHandlerAddr = 0x40000, kHandler2Addr = 0x41000, kRing3Code = 0x50000;
  static constexpr unsigned kGdtEntries = 32;

  // GDT selectors. 1/2 come from CpuFixture (flat ring-0 code/data).
  static constexpr uint16_t kCode0 = 0x08, kData0 = 0x10, kCode3 = 0x1B, kData3 = 0x23;
  static constexpr uint16_t kTssSel = 0x28, kTss2Sel = 0x30;
  static constexpr unsigned kFreeSlot = 8;  // slots 8.. are free for individual tests

  // Descriptor-cache attributes of the flat segments (see Segment::attr).
  static constexpr uint32_t kFlat = 0x00C00000;
  static constexpr uint32_t kCode3Attr = kFlat | 0xFB00, kData3Attr = kFlat | 0xF300;

  SysFixture() : CpuFixture(true) {
    cpu.s.gdtr.limit = kGdtEntries * 8 - 1;
    gdt_set(3, 0, 0xFFFFF, 0xC0FB);  // flat code, DPL 3
    gdt_set(4, 0, 0xFFFFF, 0xC0F3);  // flat data, DPL 3
    cpu.s.idtr = {kIdtAddr, 256 * 8 - 1};
    cpu.s.r[ESP] = kRing0StackTop;
  }

  static uint16_t sel(unsigned slot, unsigned rpl = 0) { return uint16_t(slot * 8 + rpl); }

  void write_gate(uint32_t addr, uint16_t target, uint32_t offset, uint8_t type, uint8_t dpl,
                  unsigned params = 0, bool present = true) {
    poke<uint32_t>(addr, (offset & 0xFFFF) | uint32_t(target) << 16);
    poke<uint32_t>(addr + 4, (offset & 0xFFFF0000u) | (present ? 0x8000u : 0) | uint32_t(dpl) << 13 |
                                 uint32_t(type) << 8 | (params & 0x1F));
  }
  void gdt_gate(unsigned slot, uint16_t target, uint32_t offset, uint8_t type, uint8_t dpl, unsigned params = 0) {
    write_gate(kGdtAddr + slot * 8, target, offset, type, dpl, params);
  }
  void idt_gate(uint8_t vector, uint32_t offset, uint8_t type = sys_type::INT_GATE32, uint8_t dpl = 0,
                uint16_t target = kCode0, bool present = true) {
    write_gate(kIdtAddr + vector * 8u, target, offset, type, dpl, 0, present);
  }

  // A 32-bit TSS at `base` (descriptor in GDT `slot`) whose ring-0 stack is kRing0StackTop.
  void make_tss32(unsigned slot, uint32_t base, uint32_t limit = 0x67) {
    gdt_set(slot, base, limit, 0x0089);
    for (uint32_t k = 0; k < 0x68; k += 4) poke<uint32_t>(base + k, 0);
    poke<uint32_t>(base + 4, kRing0StackTop);
    poke<uint16_t>(base + 8, kData0);
    poke<uint16_t>(base + 0x66, 0x68);  // I/O bitmap right after the fixed part
  }
  // LTR done from the host: TR loaded and its descriptor marked busy.
  void load_tr(uint16_t tss_sel) {
    uint32_t addr = kGdtAddr + (tss_sel & ~7u);
    poke<uint8_t>(addr + 5, peek<uint8_t>(addr + 5) | sys_type::kBusyBit);
    Descriptor d{peek<uint32_t>(addr), peek<uint32_t>(addr + 4)};
    cpu.s.tr = d.to_segment(tss_sel);
  }
  // The standard setup for ring-crossing tests: TSS at kTssAddr loaded in TR.
  void with_tss() {
    make_tss32(5, kTssAddr);
    load_tr(kTssSel);
  }

  void enter_ring3(uint32_t eip, uint32_t esp = kRing3StackTop) {
    cpu.set_cpl(3);
    cpu.set_seg(CS, Segment{kCode3, 0, 0xFFFFFFFF, kCode3Attr});
    for (unsigned s : {SS, DS, ES, FS, GS}) cpu.set_seg(s, Segment{kData3, 0, 0xFFFFFFFF, kData3Attr});
    cpu.s.r[ESP] = esp;
    cpu.s.eip = eip;
  }

  // Assemble `src` at `at` without moving EIP there.
  void put_asm(uint32_t at, const std::string& src) {
    uint32_t eip = cpu.s.eip;
    load_asm(src, at);
    cpu.s.eip = eip;
  }
  // Deliver exceptions to the guest's IDT instead of stopping the run.
  void deliver_exceptions() { cpu.stop_on_exception = false; }

  bool faulted_with(uint8_t vector, int32_t error) const {
    return cpu.has_last_exception && cpu.last_exception.vector == vector && cpu.last_exception.error == error;
  }
  // The n-th dword below the top of the ring-0 stack (1 = the first one pushed).
  uint32_t ring0_stack(unsigned index_from_top) { return peek<uint32_t>(kRing0StackTop - 4 * index_from_top); }
};

}  // namespace bt86
