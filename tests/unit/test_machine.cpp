// Machine: BIOS mapping as on a PC, startup errors, and whole runs of tiny ROMs built from bytes
// (real-mode code at F000:0000, reached from the reset vector) ending through the exit port, a
// halt with interrupts off, a triple fault, and the timeout.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "machine/machine.h"

using namespace bt86;

namespace {

constexpr size_t kRomSize = 0x10000;

// A 64 KiB ROM: `code` at offset 0 (F000:0000), and at the reset vector (offset FFF0) a far jump
// there: jmp F000:0000.
std::vector<uint8_t> make_rom(std::initializer_list<uint8_t> code) {
  std::vector<uint8_t> rom(kRomSize, 0xF4);
  std::copy(code.begin(), code.end(), rom.begin());
  const uint8_t reset_jump[] = {0xEA, 0x00, 0x00, 0x00, 0xF0};
  std::copy(std::begin(reset_jump), std::end(reset_jump), rom.begin() + 0xFFF0);
  return rom;
}

std::string temp_path(const char* tag) {
  return "/tmp/bt86_machine_" + std::string(tag) + "_" + std::to_string(getpid());
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

MachineOptions rom_options(std::vector<uint8_t> rom, const std::string& console_path) {
  MachineOptions o;
  o.ram_bytes = 4 << 20;
  o.bios_image = std::move(rom);
  o.debugcon = "file:" + console_path;
  o.timeout_s = 10;
  return o;
}

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(i * 13 + i / 256);
  return v;
}

}  // namespace

TEST_CASE("Machine maps the BIOS ending at 4 GiB and its last 128 KiB ending at 1 MiB") {
  for (size_t size : {size_t(0x10000), size_t(0x20000), size_t(0x40000)}) {
    CAPTURE(size);
    MachineOptions o;
    o.ram_bytes = 2 << 20;
    o.bios_image = pattern(size);
    o.debugcon = "none";
    Machine m(o);
    const auto& img = o.bios_image;
    CHECK(m.mem().read(0xFFFFFFF0, 1) == img[size - 0x10]);
    CHECK(m.mem().read(uint32_t(0x100000000ull - size), 1) == img[0]);
    CHECK(m.mem().read(0xFFFF0, 1) == img[size - 0x10]);
    const size_t low = std::min(size, size_t(0x20000));
    CHECK(m.mem().read(uint32_t(0x100000 - low), 1) == img[size - low]);
    CHECK(m.mem().read(uint32_t(0x100000 - low - 1), 1) == 0);  // RAM below the window
    // The CPU starts at the reset vector: CS base FFFF0000, EIP FFF0.
    CHECK(m.cpu().s.seg[CS].base == 0xFFFF0000);
    CHECK(m.cpu().s.eip == 0xFFF0);
  }
}

TEST_CASE("Machine: unusable BIOS images and files are clear startup errors") {
  MachineOptions o;
  o.debugcon = "none";
  o.bios_image = std::vector<uint8_t>(1000);
  CHECK_THROWS_AS(Machine{o}, std::runtime_error);
  o.bios_image.clear();
  o.bios_path = "/nonexistent/bios.bin";
  CHECK_THROWS_WITH_AS(Machine{o}, "BIOS image '/nonexistent/bios.bin': No such file or directory", std::runtime_error);
  o.bios_path = "/tmp";
  CHECK_THROWS_AS(Machine{o}, std::runtime_error);
  const std::string big = temp_path("big_bios");
  std::ofstream(big).put('x');
  std::filesystem::resize_file(big, 32u << 20);  // sparse, 32 MiB: too big
  o.bios_path = big;
  CHECK_THROWS_AS(Machine{o}, std::runtime_error);
  std::remove(big.c_str());

  o.bios_image = make_rom({0xF4});
  o.trace_path = "/nonexistent/trace.txt";
  CHECK_THROWS_AS(Machine{o}, std::runtime_error);
  o.trace_path.clear();
  o.debugcon = "file:/nonexistent/console.txt";
  CHECK_THROWS_AS(Machine{o}, std::runtime_error);
}

TEST_CASE("Machine runs a ROM that prints on port 0xE9 and exits through port 0xF4") {
  const std::string console = temp_path("hello");
  Machine m(rom_options(make_rom({
                            0xBA, 0xE9, 0x00,  // mov dx, 0xE9
                            0xB0, 'H', 0xEE,   // mov al, 'H'; out dx, al
                            0xB0, 'i', 0xEE,   // mov al, 'i'; out dx, al
                            0xB0, 0x07,        // mov al, 7
                            0xE6, 0xF4,        // out 0xF4, al
                            0xEB, 0xFE,        // jmp $ (never reached)
                        }),
                        console));
  CHECK(m.run() == 7);
  CHECK(slurp(console) == "Hi");
  CHECK(m.cpu().s.icount >= 7);
  std::remove(console.c_str());
}

TEST_CASE("Machine -lockstep: needs -icount; runs the ROM checked against a reference machine") {
  const std::string console = temp_path("lockstep");
  MachineOptions o = rom_options(make_rom({
                                     0xBA, 0xE9, 0x00,  // mov dx, 0xE9
                                     0xB0, 'L', 0xEE,   // mov al, 'L'; out dx, al
                                     0xB9, 0x00, 0x01,  // mov cx, 256
                                     0xE2, 0xFE,        // loop $
                                     0xB0, 0x05,        // mov al, 5
                                     0xE6, 0xF4,        // out 0xF4, al
                                 }),
                                 console);
  o.lockstep = true;
  CHECK_THROWS_AS(Machine{o}, std::invalid_argument);  // host time: the machines could not agree
  o.icount.enabled = true;
  o.icount.shift = 3;
  Machine m(o);
  CHECK(std::string(m.engine().name()).find("lockstep") != std::string::npos);
  CHECK(m.run() == 5);
  CHECK(slurp(console) == "L");  // the reference machine's debug console is silent
  CHECK(m.cpu().s.icount == 1 + 4 + 256 + 2);  // the reset vector's jump, the code, 256 LOOPs
  std::remove(console.c_str());
}

TEST_CASE("Machine: a halt with interrupts disabled ends the run") {
  const std::string console = temp_path("halt");
  Machine m(rom_options(make_rom({0xFA, 0xF4}), console));  // cli; hlt
  CHECK(m.run() == exit_code::kHaltedForever);
  std::remove(console.c_str());
}

TEST_CASE("Machine: -timeout ends a guest that never stops") {
  const std::string console = temp_path("timeout");
  MachineOptions o = rom_options(make_rom({0xEB, 0xFE}), console);  // jmp $
  o.timeout_s = 0.2;
  Machine m(o);
  CHECK(m.run() == exit_code::kTimeout);
  CHECK(m.cpu().s.icount > 1000);
  std::remove(console.c_str());
}

TEST_CASE("Machine -icount: guest time is the instruction count, 2^shift ns each") {
  const std::string console = temp_path("icount");
  for (unsigned shift : {0u, 3u, 5u}) {
    CAPTURE(shift);
    MachineOptions o = rom_options(make_rom({
                                       0x0F, 0x31,        // rdtsc
                                       0x66, 0x89, 0xC3,  // mov ebx, eax
                                       0x0F, 0x31,        // rdtsc: two instructions later
                                       0x66, 0x29, 0xD8,  // sub eax, ebx
                                       0xE6, 0xF4,        // out 0xF4, al: exit code = the TSC delta
                                   }),
                                   console);
    o.icount.enabled = true;
    o.icount.shift = shift;
    Machine m(o);
    CHECK(m.clock().counts_instructions());
    CHECK(m.run() == int(2u << shift));
    CHECK(m.cpu().s.icount == 6);  // jmp at the reset vector, then five
    CHECK(m.clock().now_ns() == 6u << shift);
  }
  std::remove(console.c_str());
}

namespace {
// Prints 'R', then triple faults: LIDT loads a zero-limit IVT from RAM at 0 (all zero), so INT3
// finds no vector (#GP), nor does the #GP (#DF), nor the #DF: shutdown.
std::vector<uint8_t> triple_fault_rom() {
  return make_rom({
      0xBA, 0xE9, 0x00,              // mov dx, 0xE9
      0xB0, 'R', 0xEE,               // mov al, 'R'; out dx, al
      0x0F, 0x01, 0x1E, 0x00, 0x00,  // lidt [0x0000]   (DS=0 after reset)
      0xCC,                          // int3
      0xEB, 0xFE,                    // jmp $
  });
}
}  // namespace

TEST_CASE("Machine: a triple fault with -no-reboot ends the run") {
  const std::string console = temp_path("triple");
  MachineOptions o = rom_options(triple_fault_rom(), console);
  o.no_reboot = true;
  Machine m(o);
  CHECK(m.run() == exit_code::kEndedOnRequest);
  CHECK(slurp(console) == "R");
  std::remove(console.c_str());
}

TEST_CASE("Machine: a triple fault without -no-reboot resets the machine") {
  const std::string console = temp_path("reboot");
  MachineOptions o = rom_options(triple_fault_rom(), console);
  o.timeout_s = 0.3;
  Machine m(o);
  CHECK(m.run() == exit_code::kTimeout);
  CHECK(slurp(console).size() >= 2);  // printed again after each reset
  CHECK(slurp(console).find_first_not_of('R') == std::string::npos);
  std::remove(console.c_str());
}

namespace {
// A front end that pauses the machine on its first poll, checks that guest time stands still
// while paused, resumes, and quits after a few more polls.
struct ScriptedFrontend : Frontend {
  int polls = 0;
  uint64_t paused_at = 0, paused_after = 0;
  bool was_paused = false;
  void poll(Machine& m) override {
    ++polls;
    if (polls == 1) { m.pause(); paused_at = m.clock().now_ns(); }
    if (polls == 4) { was_paused = m.paused(); paused_after = m.clock().now_ns(); m.resume(); }
    if (polls == 8) m.request_quit("quit (test front end)");
  }
};
}  // namespace

TEST_CASE("Machine: front ends are polled, can pause/resume the guest and quit the run") {
  const std::string console = temp_path("frontend");
  for (bool icount : {false, true}) {  // host time, and -icount: time stands still while paused
    CAPTURE(icount);
    // An endless loop: only the front end can end this run (before the 10 s timeout).
    MachineOptions o = rom_options(make_rom({0xEB, 0xFE}), console);
    o.icount.enabled = icount;
    o.icount.shift = 2;
    Machine m(o);
    ScriptedFrontend f;
    m.add_frontend(&f);
    CHECK(m.run() == exit_code::kEndedOnRequest);
    CHECK(f.polls == 8);
    CHECK(f.was_paused);
    CHECK(f.paused_after == f.paused_at);  // virtual time stood still for three poll periods
    CHECK(m.cpu().s.icount > 0);
    if (icount) CHECK(m.clock().now_ns() == m.cpu().s.icount << 2);  // never halted: no warps
  }
  std::remove(console.c_str());
}
