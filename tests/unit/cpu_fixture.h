// Test fixture: a bare Cpu (no devices) on 16 MiB of RAM, either in real mode or in flat 32-bit
// protected mode at CPL 0 (descriptor caches set directly, no GDT needed unless a test loads
// selectors: then use gdt_set()). Code is loaded at kCodeAddr and run until HLT.
#pragma once
#include <doctest/doctest.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>
#include "cpu/cpu.h"
#include "cpu/interpreter.h"

namespace bt86 {

struct CpuFixture {
  static constexpr uint32_t kCodeAddr = 0x1000;     // real mode: CS=0, IP=0x1000
  static constexpr uint32_t kDataAddr = 0x8000;     // scratch data area
  static constexpr uint32_t kStackTop = 0x7000;
  static constexpr uint32_t kGdtAddr = 0x500;       // 16 descriptors

  PhysMem mem{16u << 20};
  IoBus io;
  VirtualClock clock;
  Cpu cpu{mem, io, clock};
  Interpreter engine{cpu};
  bool mode32;

  explicit CpuFixture(bool protected32 = true) : mode32(protected32) {
    cpu.reset();
    cpu.stop_on_exception = true;
    if (protected32) {
      cpu.s.cr0 |= cr0::PE;
      Segment code{0x08, 0, 0xFFFFFFFF, kAttrCodeRX | (1u << 22) | (1u << 23)};
      Segment data{0x10, 0, 0xFFFFFFFF, kAttrDataRW | (1u << 22) | (1u << 23)};
      cpu.set_seg(CS, code);
      for (unsigned s : {ES, SS, DS, FS, GS}) cpu.set_seg(s, data);
      cpu.s.gdtr = {kGdtAddr, 16 * 8 - 1};
      gdt_set(1, 0, 0xFFFFF, 0xC09B);  // flat code
      gdt_set(2, 0, 0xFFFFF, 0xC093);  // flat data
    } else {
      for (unsigned s : {ES, CS, SS, DS, FS, GS}) cpu.load_seg_real(s, 0);
    }
    cpu.s.r[ESP] = kStackTop;
  }

  // Write a GDT descriptor: flags_type = (G D/B 0 AVL) << 12 | access byte (P DPL S type).
  void gdt_set(unsigned index, uint32_t base, uint32_t limit20, uint16_t flags_type) {
    uint32_t lo = (limit20 & 0xFFFF) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xFF) | (uint32_t(flags_type & 0xFF) << 8) |
                  (limit20 & 0xF0000) | (uint32_t(flags_type >> 12) << 20) | (base & 0xFF000000);
    mem.copy_to(kGdtAddr + index * 8, &lo, 4);
    mem.copy_to(kGdtAddr + index * 8 + 4, &hi, 4);
  }

  void load_code(std::initializer_list<uint8_t> bytes, uint32_t at = kCodeAddr) {
    std::vector<uint8_t> v(bytes);
    load_code(v, at);
  }
  void load_code(const std::vector<uint8_t>& bytes, uint32_t at = kCodeAddr) {
    mem.copy_to(at, bytes.data(), bytes.size());
    cpu.mmu.code_pages.invalidate_all();  // the copy bypassed the CPU's code-write tracking
    cpu.s.eip = at;
  }
  // Assemble with nasm (bits 32 or 16 per the mode) at org `at` and load.
  void load_asm(const std::string& src, uint32_t at = kCodeAddr) {
    char in[] = "/tmp/bt86_fixture_XXXXXX";
    int fd = mkstemp(in);
    REQUIRE(fd >= 0);
    close(fd);
    std::string asm_path = std::string(in) + ".asm", bin_path = std::string(in) + ".bin";
    {
      std::ofstream f(asm_path);
      f << (mode32 ? "bits 32\n" : "bits 16\n") << "org " << at << "\n" << src << "\n";
    }
    std::string cmd = "nasm -f bin -o " + bin_path + " " + asm_path + " 2>&1";
    int rc = std::system(cmd.c_str());
    REQUIRE_MESSAGE(rc == 0, "nasm failed on:\n" << src);
    std::ifstream b(bin_path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(b)), {});
    std::remove(asm_path.c_str());
    std::remove(bin_path.c_str());
    std::remove(in);
    load_code(bytes, at);
  }

  // Run until HLT (or an exception when stop_on_exception). Fails the test if neither happens.
  void run(uint64_t max_insns = 1'000'000) {
    cpu.has_last_exception = false;
    cpu.set_halted(false);
    engine.run(max_insns);
    CHECK_MESSAGE((cpu.halted() || cpu.has_last_exception), "guest neither halted nor faulted");
  }
  bool faulted(uint8_t vector) const { return cpu.has_last_exception && cpu.last_exception.vector == vector; }

  template <class T> T peek(uint32_t paddr) { T v; mem.copy_from(paddr, &v, sizeof v); return v; }
  template <class T> void poke(uint32_t paddr, T v) { mem.copy_to(paddr, &v, sizeof v); }
};

}  // namespace bt86
