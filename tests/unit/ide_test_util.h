// Shared helpers for the IDE tests: temporary image files with a known byte pattern, an IRQ
// recorder, and a rig with guest memory, the I/O bus and an IdeController wired together.
#pragma once
#include <unistd.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "devices/device.h"
#include "devices/ide_controller.h"
#include "devices/io_bus.h"
#include "mmu/phys_mem.h"

namespace bt86::test {

// A byte of the pattern images: depends on the sector and the offset inside it.
inline uint8_t pattern_byte(uint64_t offset) {
  const uint64_t sector = offset / 512, i = offset % 512;
  return uint8_t(sector * 7 + i * 13 + (sector >> 8) * 3 + 1);
}

// The ATA task-file ports of an IDE channel whose command block starts at `base` (the same
// offsets on every channel); the control block's device control / alternate status port is
// separate (0x3F6 primary, 0x376 secondary).
struct TaskFilePorts {
  uint16_t data, error, feature, count, lba_low, lba_mid, lba_high, device, status, command;
  static constexpr TaskFilePorts at(uint16_t base) {
    return {base,
            uint16_t(base + 1), uint16_t(base + 1),
            uint16_t(base + 2), uint16_t(base + 3), uint16_t(base + 4), uint16_t(base + 5),
            uint16_t(base + 6), uint16_t(base + 7), uint16_t(base + 7)};
  }
};

class TempImage {
 public:
  TempImage(const std::string& tag, uint64_t bytes) {
    path_ = "/tmp/bt86_test_" + tag + "_" + std::to_string(::getpid()) + ".img";
    std::vector<uint8_t> data(bytes);
    for (uint64_t i = 0; i < bytes; ++i) data[i] = pattern_byte(i);
    write(data);
  }
  ~TempImage() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }
  void write(const std::vector<uint8_t>& data) const {
    std::ofstream(path_, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
  }
  std::vector<uint8_t> contents() const {
    std::ifstream in(path_, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
 private:
  std::string path_;
};

struct IrqRecorder : IrqSink {
  std::array<bool, 16> level{};
  std::array<int, 16> rises{};
  void set_irq(unsigned irq, bool lv) override {
    if (lv && !level[irq]) ++rises[irq];
    level[irq] = lv;
  }
};

struct IdeRig {
  PhysMem mem{1 << 20};
  IoBus io;
  IrqRecorder pic;
  IdeController ide{mem};
  IdeRig() { ide.attach(io, &pic); }

  uint8_t inb(uint16_t port) { return uint8_t(io.in(port, 1)); }
  uint16_t inw(uint16_t port) { return uint16_t(io.in(port, 2)); }
  void outb(uint16_t port, uint8_t v) { io.out(port, v, 1); }
  void outw(uint16_t port, uint16_t v) { io.out(port, v, 2); }
  // Reads `bytes` from the data port of the channel at `base` with 16-bit accesses.
  std::vector<uint8_t> read_data(uint16_t base, size_t bytes) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i < bytes; i += 2) {
      const uint16_t w = inw(base);
      out.push_back(uint8_t(w));
      out.push_back(uint8_t(w >> 8));
    }
    return out;
  }
  void write_data(uint16_t base, const uint8_t* data, size_t bytes) {
    for (size_t i = 0; i < bytes; i += 2) outw(base, uint16_t(data[i] | data[i + 1] << 8));
  }
  // A PRD table at `table` describing (address, byte count) pieces; the last one gets EOT.
  void write_prd(uint32_t table, const std::vector<std::pair<uint32_t, uint32_t>>& pieces) {
    for (size_t i = 0; i < pieces.size(); ++i) {
      mem.write(table + 8 * uint32_t(i), pieces[i].first, 4);
      const uint32_t eot = i + 1 == pieces.size() ? 0x80000000u : 0;
      mem.write(table + 8 * uint32_t(i) + 4, (pieces[i].second & 0xFFFF) | eot, 4);
    }
  }
};

}  // namespace bt86::test
