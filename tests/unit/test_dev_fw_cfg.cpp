// fw_cfg: the "QEMU" signature and ID through the selector/data ports, legacy items, the file
// directory (big-endian, keys from 0x20 in name order), etc/e820 for several RAM sizes, bootorder
// paths for -boot letters, the -kernel/-initrd/-append items; the Machine's wiring of fw_cfg, the
// PCI chipset and the SeaBIOS debug port; the -boot option.
#include <doctest/doctest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/fw_cfg.h"
#include "frontend/cli_options.h"
#include "machine/machine.h"

using namespace bt86;

namespace {

struct FwCfgFixture {
  IoBus io;
  FwCfg cfg;
  explicit FwCfgFixture(FwCfgConfig c = {}) : cfg(c) { cfg.attach(io); }
  std::vector<uint8_t> read(uint16_t key, size_t n) {
    io.out(0x510, key, 2);
    std::vector<uint8_t> out(n);
    for (auto& b : out) b = uint8_t(io.in(0x511, 1));
    return out;
  }
  static uint64_t le(const std::vector<uint8_t>& v, size_t at, size_t n) {
    uint64_t x = 0;
    for (size_t i = 0; i < n; ++i) x |= uint64_t(v[at + i]) << (8 * i);
    return x;
  }
  static uint64_t be(const std::vector<uint8_t>& v, size_t at, size_t n) {
    uint64_t x = 0;
    for (size_t i = 0; i < n; ++i) x = x << 8 | v[at + i];
    return x;
  }
  // Finds a file in the directory: returns its key and size (key 0 if absent).
  std::pair<uint16_t, uint32_t> find_file(const std::string& name) {
    const uint32_t count = uint32_t(be(read(0x19, 4), 0, 4));
    const std::vector<uint8_t> dir = read(0x19, 4 + 64 * count);
    for (uint32_t i = 0; i < count; ++i) {
      const size_t e = 4 + 64 * i;
      if (name == reinterpret_cast<const char*>(&dir[e + 8]))
        return {uint16_t(be(dir, e + 4, 2)), uint32_t(be(dir, e, 4))};
    }
    return {0, 0};
  }
  std::vector<uint8_t> read_file(const std::string& name) {
    auto [key, size] = find_file(name);
    REQUIRE_MESSAGE(key != 0, name << " missing");
    return read(key, size);
  }
};

}  // namespace

TEST_CASE("fw_cfg: signature, ID, and reads past the end or of unknown keys give 0") {
  FwCfgFixture f;
  const auto sig = f.read(0x0000, 6);
  CHECK(std::string(sig.begin(), sig.begin() + 4) == "QEMU");
  CHECK(sig[4] == 0);
  CHECK(sig[5] == 0);
  CHECK(FwCfgFixture::le(f.read(0x0001, 4), 0, 4) == 1);  // traditional interface, no DMA
  CHECK(f.read(0x1234, 2) == std::vector<uint8_t>{0, 0});
  // Selecting again restarts at offset 0.
  f.io.out(0x510, 0, 2);
  f.io.in(0x511, 1);
  f.io.out(0x510, 0, 2);
  CHECK(f.io.in(0x511, 1) == 'Q');
}

TEST_CASE("fw_cfg: legacy items as QEMU's pc machine gives them") {
  FwCfgFixture f(FwCfgConfig{256ull << 20, "d", true});
  CHECK(FwCfgFixture::le(f.read(0x03, 8), 0, 8) == 256ull << 20);
  CHECK(FwCfgFixture::le(f.read(0x05, 2), 0, 2) == 1);
  CHECK(FwCfgFixture::le(f.read(0x0F, 2), 0, 2) == 1);
  CHECK(FwCfgFixture::le(f.read(0x0E, 2), 0, 2) == 0);
  CHECK(FwCfgFixture::le(f.read(0x0C, 2), 0, 2) == 'd');
  CHECK(FwCfgFixture::le(f.read(0x8002, 1), 0, 1) == 1);
  CHECK(FwCfgFixture::le(f.read(0x8000, 2), 0, 2) == 0);  // no legacy ACPI tables
  CHECK(FwCfgFixture::le(f.read(0x8001, 2), 0, 2) == 0);  // no legacy SMBIOS entries
}

TEST_CASE("fw_cfg: file directory in name order, big-endian, keys from 0x20") {
  FwCfgFixture f;
  f.cfg.add_file("etc/zzz", {1, 2, 3});
  const uint32_t count = uint32_t(FwCfgFixture::be(f.read(0x19, 4), 0, 4));
  CHECK(count == 5);
  const auto dir = f.read(0x19, 4 + 64 * count);
  std::vector<std::string> names;
  for (uint32_t i = 0; i < count; ++i) {
    names.emplace_back(reinterpret_cast<const char*>(&dir[4 + 64 * i + 8]));
    CHECK(FwCfgFixture::be(dir, 4 + 64 * i + 4, 2) == 0x20 + i);
  }
  CHECK(names == std::vector<std::string>{"bootorder", "etc/boot-cpus", "etc/boot-fail-wait",
                                          "etc/e820", "etc/zzz"});
  CHECK(f.read_file("etc/zzz") == std::vector<uint8_t>{1, 2, 3});
  CHECK(FwCfgFixture::le(f.read_file("etc/boot-fail-wait"), 0, 4) == 0xFFFFFFFFu);
  CHECK(FwCfgFixture::le(f.read_file("etc/boot-cpus"), 0, 2) == 1);
}

TEST_CASE("fw_cfg: etc/e820 holds one RAM entry covering all of RAM") {
  for (uint64_t mb : {1ull, 16ull, 128ull, 3584ull}) {
    CAPTURE(mb);
    FwCfgFixture f(FwCfgConfig{mb << 20, "c", true});
    const auto e820 = f.read_file("etc/e820");
    REQUIRE(e820.size() == 20);
    CHECK(FwCfgFixture::le(e820, 0, 8) == 0);
    CHECK(FwCfgFixture::le(e820, 8, 8) == mb << 20);
    CHECK(FwCfgFixture::le(e820, 16, 4) == 1);
  }
}

TEST_CASE("fw_cfg: bootorder lists the -boot devices as SeaBIOS matches them") {
  FwCfgFixture f(FwCfgConfig{128ull << 20, "dc", true});
  const auto order = f.read_file("bootorder");
  REQUIRE(!order.empty());
  CHECK(order.back() == 0);
  CHECK(std::string(reinterpret_cast<const char*>(order.data())) ==
        "/pci@i0cf8/ide@1,1/drive@1/disk@0\n/pci@i0cf8/ide@1,1/drive@0/disk@0\n");
  CHECK(FwCfg::valid_boot_order("a"));
  CHECK(FwCfg::valid_boot_order("cda"));
  CHECK_FALSE(FwCfg::valid_boot_order(""));
  CHECK_FALSE(FwCfg::valid_boot_order("n"));
  CHECK_THROWS_AS(FwCfg(FwCfgConfig{1 << 20, "x", true}), std::invalid_argument);
}

TEST_CASE("fw_cfg: Linux boot items") {
  FwCfgFixture f;
  LinuxBoot b;
  b.setup_addr = 0x90000, b.kernel_addr = 0x100000, b.initrd_addr = 0x7000000,
  b.cmdline_addr = 0x20000;
  b.setup = {1, 2}, b.kernel = {3, 4, 5}, b.initrd = {6};
  b.cmdline = "console=ttyS0";
  f.cfg.set_linux_boot(b);
  CHECK(FwCfgFixture::le(f.read(0x07, 4), 0, 4) == 0x100000);
  CHECK(FwCfgFixture::le(f.read(0x08, 4), 0, 4) == 3);
  CHECK(f.read(0x11, 3) == std::vector<uint8_t>{3, 4, 5});
  CHECK(FwCfgFixture::le(f.read(0x0A, 4), 0, 4) == 0x7000000);
  CHECK(FwCfgFixture::le(f.read(0x0B, 4), 0, 4) == 1);
  CHECK(f.read(0x12, 1) == std::vector<uint8_t>{6});
  CHECK(FwCfgFixture::le(f.read(0x14, 4), 0, 4) == 14);  // with the NUL
  const auto cmd = f.read(0x15, 14);
  CHECK(std::string(reinterpret_cast<const char*>(cmd.data())) == "console=ttyS0");
  CHECK(FwCfgFixture::le(f.read(0x16, 4), 0, 4) == 0x90000);
  CHECK(FwCfgFixture::le(f.read(0x17, 4), 0, 4) == 2);
  CHECK(f.read(0x18, 2) == std::vector<uint8_t>{1, 2});
}

TEST_CASE("Machine: fw_cfg, the i440FX/PIIX3 on PCI and SeaBIOS's debug port are wired") {
  MachineOptions o;
  o.ram_bytes = 64ull << 20;
  o.bios_image = std::vector<uint8_t>(0x10000, 0xF4);
  o.debugcon = "none";
  o.vga = "none";
  o.boot_order = "d";
  Machine m(o);
  IoBus& io = m.io();
  m.io().out(0x510, 0x0000, 2);
  CHECK(io.in(0x511, 1) == 'Q');
  m.io().out(0x510, 0x0003, 2);
  uint64_t ram = 0;
  for (int i = 0; i < 8; ++i) ram |= uint64_t(io.in(0x511, 1)) << (8 * i);
  CHECK(ram == 64ull << 20);
  m.io().out(0x510, 0x000C, 2);
  CHECK(io.in(0x511, 1) == 'd');
  io.out(0xCF8, 0x80000000u, 4);
  CHECK(io.in(0xCFC, 4) == 0x12378086u);
  CHECK(io.in(0xCFE, 2) == 0x1237);
  io.out(0xCF8, 0x80000800u, 4);  // 00:01.0
  CHECK(io.in(0xCFC, 4) == 0x70008086u);
  io.out(0xCF8, 0x8000002Cu, 4);  // subsystem of 00:00.0: SeaBIOS's QEMU detection
  CHECK(io.in(0xCFC, 4) == 0x11001AF4u);
  CHECK(io.in(0x402, 1) == 0xE9);
  // PAM through the Machine: F0000 to RAM read/write, then the BIOS image is gone from there.
  CHECK(m.mem().read(0xFFFF0, 1) == 0xF4);
  io.out(0xCF8, 0x80000058u, 4);
  io.out(0xCFD, 0x30, 1);
  CHECK(m.mem().read(0xFFFF0, 1) == 0x00);
}

TEST_CASE("CLI: -boot takes QEMU's letters, with or without order=") {
  CHECK(parse_cli({"-boot", "d"}).machine.boot_order == "d");
  CHECK(parse_cli({"-boot", "order=dc"}).machine.boot_order == "dc");
  CHECK(parse_cli({}).machine.boot_order == "cd");
  CHECK_THROWS_AS(parse_cli({"-boot", "n"}), CliError);
  CHECK_THROWS_AS(parse_cli({"-boot", "order="}), CliError);
}
