// ATA disks on the PIIX3 IDE controller, driven through the legacy ports and the bus-master
// registers as a BIOS or OS does: task file and HOB, IDENTIFY DEVICE contents, PIO reads and
// writes (LBA28, LBA48, CHS, MULTIPLE), soft reset signatures, DMA through a PRD table, errors
// and the interrupt protocol.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "devices/ata_disk.h"
#include "devices/pci.h"
#include "devices/piix3.h"
#include "ide_test_util.h"

using namespace bt86;
using namespace bt86::test;

namespace {

constexpr uint16_t kBase = 0x1F0, kCtl = 0x3F6;
constexpr TaskFilePorts kPorts = TaskFilePorts::at(kBase);
constexpr unsigned kIrq = 14;
constexpr uint64_t kDiskBytes = 8ull << 20;  // 16384 sectors

struct DiskRig : IdeRig {
  TempImage file;
  AtaDisk* disk = nullptr;
  explicit DiskRig(DiskImage::Mode mode = DiskImage::Mode::ReadWrite, bool with_slave = false)
      : file("ide", kDiskBytes) {
    auto d = std::make_unique<AtaDisk>(std::make_unique<DiskImage>(file.path(), mode, "-hda"));
    disk = d.get();
    ide.attach_drive(0, 0, std::move(d));
    if (with_slave)
      ide.attach_drive(0, 1, std::make_unique<AtaDisk>(std::make_unique<DiskImage>(file.path(), mode, "-hdb")));
    ide.reset();
  }
  void lba28(uint32_t lba, uint8_t count, unsigned unit = 0) {
    outb(kPorts.count, count);
    outb(kPorts.lba_low, uint8_t(lba));
    outb(kPorts.lba_mid, uint8_t(lba >> 8));
    outb(kPorts.lba_high, uint8_t(lba >> 16));
    outb(kPorts.device, uint8_t(0xE0 | unit << 4 | ((lba >> 24) & 0x0F)));
  }
  void lba48(uint64_t lba, uint16_t count) {  // high-order bytes first, as drivers do
    outb(kPorts.count, uint8_t(count >> 8));
    outb(kPorts.lba_low, uint8_t(lba >> 24));
    outb(kPorts.lba_mid, uint8_t(lba >> 32));
    outb(kPorts.lba_high, uint8_t(lba >> 40));
    outb(kPorts.count, uint8_t(count));
    outb(kPorts.lba_low, uint8_t(lba));
    outb(kPorts.lba_mid, uint8_t(lba >> 8));
    outb(kPorts.lba_high, uint8_t(lba >> 16));
    outb(kPorts.device, 0xE0);
  }
  // Expected image bytes of `n` sectors from `lba`.
  static std::vector<uint8_t> expected(uint64_t lba, uint32_t n) {
    std::vector<uint8_t> v(size_t(n) * 512);
    for (size_t i = 0; i < v.size(); ++i) v[i] = pattern_byte(lba * 512 + i);
    return v;
  }
};

std::string ata_string(const std::vector<uint8_t>& id, unsigned word, unsigned words) {
  std::string s;
  for (unsigned w = word; w < word + words; ++w) {
    s += char(id[2 * w + 1]);
    s += char(id[2 * w]);
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

uint16_t word(const std::vector<uint8_t>& id, unsigned w) { return uint16_t(id[2 * w] | id[2 * w + 1] << 8); }

}  // namespace

TEST_CASE("IDE: a channel without devices reads zero; an absent slave does not latch registers") {
  DiskRig rig;
  CHECK(rig.inb(0x177) == 0);  // secondary channel: nothing attached
  rig.outb(kPorts.device, 0xB0);     // select the absent slave
  rig.outb(kPorts.count, 0x55);
  CHECK(rig.inb(kPorts.count) == 0);
  CHECK(rig.inb(kPorts.status) == 0);
  rig.outb(kPorts.device, 0xA0);
  CHECK(rig.inb(kPorts.count) == 0x55);  // the master latched the write
}

TEST_CASE("IDE: power-on signature and IDENTIFY DEVICE") {
  DiskRig rig;
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  CHECK(rig.inb(kPorts.count) == 1);
  CHECK(rig.inb(kPorts.lba_low) == 1);
  CHECK(rig.inb(kPorts.lba_mid) == 0);
  CHECK(rig.inb(kPorts.lba_high) == 0);
  CHECK(rig.inb(kPorts.error) == 1);

  rig.outb(kPorts.device, 0xA0);
  rig.outb(kPorts.command, 0xEC);
  CHECK(rig.pic.level[kIrq]);
  CHECK((rig.inb(kCtl) & ata::kDrq) != 0);  // alternate status: leaves the interrupt pending
  CHECK(rig.pic.level[kIrq]);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc | ata::kDrq));
  CHECK_FALSE(rig.pic.level[kIrq]);  // the status read acknowledged it
  const auto id = rig.read_data(kBase, 512);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  CHECK(rig.pic.rises[kIrq] == 1);  // no interrupt at the end of a PIO read

  CHECK(word(id, 0) == 0x0040);
  CHECK(word(id, 1) == 16);  // 16384 / (16 * 63) cylinders
  CHECK(word(id, 3) == 16);
  CHECK(word(id, 6) == 63);
  CHECK(ata_string(id, 27, 20) == "bt86 HARDDISK");
  CHECK(!ata_string(id, 10, 10).empty());
  CHECK((word(id, 47) & 0xFF) == AtaDisk::kMaxMultiple);
  CHECK((word(id, 49) & 0x0300) == 0x0300);  // LBA and DMA
  CHECK((word(id, 60) | word(id, 61) << 16) == 16384);
  CHECK((word(id, 63) & 0x07) == 0x07);      // multiword DMA 0-2
  CHECK((word(id, 83) & 0x4400) == 0x4400);  // valid, 48-bit addressing
  CHECK((word(id, 86) & 0x0400) != 0);
  CHECK((word(id, 100) | uint64_t(word(id, 101)) << 16) == 16384);
  uint8_t sum = 0;
  for (uint8_t b : id) sum = uint8_t(sum + b);
  CHECK(id[510] == 0xA5);
  CHECK(sum == 0);  // integrity word

  // SET FEATURES: select multiword DMA mode 2; IDENTIFY reports it as selected.
  rig.outb(kBase + 1, 0x03);
  rig.outb(kPorts.count, 0x22);
  rig.outb(kPorts.command, 0xEF);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  CHECK(rig.disk->identify()[63] == 0x0407);
  rig.outb(kPorts.count, 0x27);  // MWDMA 7 does not exist
  rig.outb(kPorts.command, 0xEF);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc | ata::kErr));
  CHECK(rig.inb(kPorts.error) == ata::kAbrt);
}

TEST_CASE("IDE: PIO READ SECTORS (LBA28) gives one interrupt and DRQ block per sector") {
  DiskRig rig;
  rig.lba28(5, 3);
  rig.outb(kPorts.command, 0x20);
  for (int s = 0; s < 3; ++s) {
    CHECK(rig.pic.level[kIrq]);
    CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc | ata::kDrq));
    CHECK(rig.read_data(kBase, 512) == DiskRig::expected(5 + s, 1));
  }
  CHECK(rig.pic.rises[kIrq] == 3);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
}

TEST_CASE("IDE: 32-bit PIO data accesses") {
  DiskRig rig;
  rig.lba28(7, 1);
  rig.outb(kPorts.command, 0x20);
  std::vector<uint8_t> got;
  for (int i = 0; i < 128; ++i) {
    const uint32_t v = rig.io.in(kBase, 4);
    for (int b = 0; b < 4; ++b) got.push_back(uint8_t(v >> (8 * b)));
  }
  CHECK(got == DiskRig::expected(7, 1));
}

TEST_CASE("IDE: PIO WRITE SECTORS EXT (LBA48) and read back, HOB register reads") {
  DiskRig rig;
  rig.lba48(0x3000, 2);
  rig.outb(kCtl, ata::kCtlHob);
  CHECK(rig.inb(kPorts.count) == 0);        // high byte of the count
  CHECK(rig.inb(kPorts.lba_mid) == 0);
  rig.outb(kCtl, 0);
  CHECK(rig.inb(kPorts.lba_mid) == 0x30);
  CHECK(rig.inb(kPorts.count) == 2);

  rig.outb(kPorts.command, 0x34);
  CHECK_FALSE(rig.pic.level[kIrq]);  // the first block goes without an interrupt
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc | ata::kDrq));
  std::vector<uint8_t> data(1024);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 31 + 5);
  rig.write_data(kBase, data.data(), 512);
  CHECK(rig.pic.level[kIrq]);  // ready for the second
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc | ata::kDrq));
  rig.write_data(kBase, data.data() + 512, 512);
  CHECK(rig.pic.level[kIrq]);  // completion
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));

  const auto file = rig.file.contents();
  CHECK(std::equal(data.begin(), data.end(), file.begin() + 0x3000 * 512));
  CHECK(file[0x3002 * 512] == pattern_byte(0x3002 * 512));

  rig.lba48(0x3001, 1);
  rig.outb(kPorts.command, 0x24);
  CHECK(rig.read_data(kBase, 512) == std::vector<uint8_t>(data.begin() + 512, data.end()));
}

TEST_CASE("IDE: READ/WRITE MULTIPLE transfer blocks of the SET MULTIPLE size") {
  DiskRig rig;
  rig.lba28(20, 6);
  rig.outb(kPorts.command, 0xC4);  // multiple mode still disabled
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc | ata::kErr));
  CHECK(rig.inb(kPorts.error) == ata::kAbrt);

  rig.outb(kPorts.count, 3);  // not a power of two
  rig.outb(kPorts.command, 0xC6);
  CHECK((rig.inb(kPorts.status) & ata::kErr) != 0);
  rig.outb(kPorts.count, 4);
  rig.outb(kPorts.command, 0xC6);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  CHECK(rig.disk->identify()[59] == 0x0104);

  rig.lba28(20, 6);
  const int rises_before = rig.pic.rises[kIrq];
  rig.outb(kPorts.command, 0xC4);
  CHECK((rig.inb(kPorts.status) & ata::kDrq) != 0);
  CHECK(rig.read_data(kBase, 4 * 512) == DiskRig::expected(20, 4));
  CHECK((rig.inb(kPorts.status) & ata::kDrq) != 0);
  CHECK(rig.read_data(kBase, 2 * 512) == DiskRig::expected(24, 2));
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  CHECK(rig.pic.rises[kIrq] - rises_before == 2);  // one per block

  std::vector<uint8_t> data(5 * 512, 0x5A);
  rig.lba28(40, 5);
  rig.outb(kPorts.command, 0xC5);
  rig.write_data(kBase, data.data(), 4 * 512);
  CHECK((rig.inb(kPorts.status) & ata::kDrq) != 0);
  rig.write_data(kBase, data.data(), 512);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  const auto file = rig.file.contents();
  CHECK(std::all_of(file.begin() + 40 * 512, file.begin() + 45 * 512, [](uint8_t b) { return b == 0x5A; }));
  CHECK(file[45 * 512] == pattern_byte(45 * 512));
}

TEST_CASE("IDE: CHS addressing after INITIALIZE DEVICE PARAMETERS") {
  DiskRig rig;
  rig.outb(kPorts.count, 32);     // 32 sectors per track
  rig.outb(kPorts.device, 0xA7);  // 8 heads
  rig.outb(kPorts.command, 0x91);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  CHECK(rig.disk->identify()[55] == 8);
  CHECK(rig.disk->identify()[56] == 32);
  // cylinder 2, head 3, sector 5 -> LBA (2 * 8 + 3) * 32 + 4 = 612
  rig.outb(kPorts.count, 1);
  rig.outb(kPorts.lba_low, 5);
  rig.outb(kPorts.lba_mid, 2);
  rig.outb(kPorts.lba_high, 0);
  rig.outb(kPorts.device, 0xA3);
  rig.outb(kPorts.command, 0x20);
  CHECK(rig.read_data(kBase, 512) == DiskRig::expected(612, 1));
  rig.outb(kPorts.lba_low, 33);  // sector beyond the track
  rig.outb(kPorts.command, 0x20);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc | ata::kErr));
  CHECK((rig.inb(kPorts.error) & ata::kIdnf) != 0);
}

TEST_CASE("IDE: errors: sectors beyond the disk, unknown and packet commands") {
  DiskRig rig;
  rig.lba28(16383, 2);  // the last sector plus one
  rig.outb(kPorts.command, 0x20);
  CHECK(rig.pic.level[kIrq]);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc | ata::kErr));
  CHECK(rig.inb(kPorts.error) == (ata::kIdnf | ata::kAbrt));
  rig.outb(kPorts.command, 0xA1);  // IDENTIFY PACKET DEVICE: not a packet device
  CHECK(rig.inb(kPorts.error) == ata::kAbrt);
  rig.outb(kPorts.command, 0x5C);  // not an ATA command
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc | ata::kErr));
  CHECK(rig.inb(kPorts.error) == ata::kAbrt);
  // Housekeeping commands complete with an interrupt.
  for (uint8_t cmd : {0xE7, 0xEA, 0xE0, 0xE1, 0xE3, 0x10, 0x70}) {
    rig.outb(kPorts.command, cmd);
    CHECK(rig.pic.level[kIrq]);
    CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  }
  rig.lba28(100, 8);
  rig.outb(kPorts.command, 0x40);  // READ VERIFY
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  rig.outb(kPorts.command, 0xE5);  // CHECK POWER MODE
  CHECK(rig.inb(kPorts.count) == 0xFF);
}

TEST_CASE("IDE: nIEN keeps the interrupt line low") {
  DiskRig rig;
  rig.outb(kCtl, ata::kCtlNien);
  rig.lba28(1, 1);
  rig.outb(kPorts.command, 0x20);
  CHECK_FALSE(rig.pic.level[kIrq]);
  CHECK((rig.inb(kCtl) & ata::kDrq) != 0);
  CHECK(rig.read_data(kBase, 512) == DiskRig::expected(1, 1));
}

TEST_CASE("IDE: soft reset gives busy, then the signatures of both devices") {
  DiskRig rig(DiskImage::Mode::Snapshot, /*with_slave=*/true);
  rig.lba28(3, 9, /*unit=*/1);
  rig.outb(kCtl, ata::kCtlSrst | ata::kCtlNien);
  CHECK((rig.inb(kCtl) & ata::kBsy) != 0);
  rig.outb(kCtl, ata::kCtlNien);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));  // device 0 is selected again
  CHECK((rig.inb(kPorts.device) & ata::kDevSlave) == 0);
  for (unsigned unit : {0u, 1u}) {
    rig.outb(kPorts.device, uint8_t(0xA0 | unit << 4));
    CHECK(rig.inb(kPorts.count) == 1);
    CHECK(rig.inb(kPorts.lba_low) == 1);
    CHECK(rig.inb(kPorts.lba_mid) == 0);
    CHECK(rig.inb(kPorts.lba_high) == 0);
    CHECK(rig.inb(kPorts.error) == 1);
  }
}

TEST_CASE("IDE: READ DMA through a PRD table into guest memory") {
  DiskRig rig;
  std::vector<std::pair<uint32_t, uint32_t>> written;
  rig.write_prd(0x1000, {{0x2000, 600}, {0x3F00, 1448}});  // 4 sectors; the second piece crosses a page
  // RAM written by DMA is reported as changed content (the machine drops decoded code there).
  rig.mem.add_content_listener([&](uint32_t a, uint32_t n) { written.push_back({a, n}); });
  rig.ide.bus_master_write(4, 0x1000, 4);
  rig.ide.bus_master_write(2, 0x06 | 0x20, 1);  // clear INT/ERR, drive 0 DMA capable
  rig.ide.bus_master_write(0, IdeBusMaster::kCmdToMemory, 1);
  rig.lba28(10, 4);
  rig.outb(kPorts.command, 0xC8);
  CHECK(rig.inb(kCtl) == (ata::kDrdy | ata::kDsc | ata::kDrq));  // waiting for the bus master
  CHECK_FALSE(rig.pic.level[kIrq]);
  rig.ide.bus_master_write(0, IdeBusMaster::kCmdToMemory | IdeBusMaster::kCmdStart, 1);
  CHECK(rig.pic.level[kIrq]);
  const uint8_t bm = uint8_t(rig.ide.bus_master_read(2, 1));
  CHECK(bm == (IdeBusMaster::kStInterrupt | IdeBusMaster::kStDrive0Dma));  // done, table used up
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  rig.ide.bus_master_write(0, IdeBusMaster::kCmdToMemory, 1);  // stop

  std::vector<uint8_t> got(2048);
  rig.mem.copy_from(0x2000, got.data(), 600);
  rig.mem.copy_from(0x3F00, got.data() + 600, 1448);
  CHECK(got == DiskRig::expected(10, 4));
  REQUIRE(written.size() == 3);
  CHECK(written[0] == std::pair<uint32_t, uint32_t>{0x2000, 600});
  CHECK(written[1] == std::pair<uint32_t, uint32_t>{0x3F00, 256});
  CHECK(written[2] == std::pair<uint32_t, uint32_t>{0x4000, 1192});
  rig.ide.bus_master_write(2, IdeBusMaster::kStInterrupt, 1);
  CHECK((rig.ide.bus_master_read(2, 1) & IdeBusMaster::kStInterrupt) == 0);
}

TEST_CASE("IDE: WRITE DMA EXT from guest memory, started before the command; longer table stays active") {
  DiskRig rig;
  std::vector<uint8_t> data(1024);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i ^ 0x3C);
  rig.mem.copy_to(0x8000, data.data(), data.size());
  rig.write_prd(0x1000, {{0x8000, 1024}, {0x9000, 512}});  // one entry more than needed
  rig.ide.bus_master_write(4, 0x1000, 4);
  rig.ide.bus_master_write(0, IdeBusMaster::kCmdStart, 1);  // memory -> drive
  CHECK((rig.ide.bus_master_read(2, 1) & IdeBusMaster::kStActive) != 0);
  rig.lba48(0x2000, 2);
  rig.outb(kPorts.command, 0x35);
  CHECK(rig.pic.level[kIrq]);
  CHECK(rig.ide.bus_master_read(2, 1) == (IdeBusMaster::kStActive | IdeBusMaster::kStInterrupt));
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  const auto file = rig.file.contents();
  CHECK(std::equal(data.begin(), data.end(), file.begin() + 0x2000 * 512));
}

TEST_CASE("IDE: a PRD table shorter than the transfer ends the command with an error") {
  DiskRig rig;
  rig.write_prd(0x1000, {{0x2000, 512}});
  rig.ide.bus_master_write(4, 0x1000, 4);
  rig.lba28(0, 2);
  rig.outb(kPorts.command, 0xC8);
  rig.ide.bus_master_write(0, IdeBusMaster::kCmdStart | IdeBusMaster::kCmdToMemory, 1);
  CHECK((rig.ide.bus_master_read(2, 1) & IdeBusMaster::kStActive) == 0);
  CHECK((rig.inb(kPorts.status) & ata::kErr) != 0);
}

TEST_CASE("IDE: a hardware reset restores multiple mode, CHS translation and transfer mode") {
  DiskRig rig;
  rig.outb(kPorts.count, 8);
  rig.outb(kPorts.command, 0xC6);
  rig.outb(kPorts.count, 32);
  rig.outb(kPorts.device, 0xA7);
  rig.outb(kPorts.command, 0x91);
  rig.outb(kBase + 1, 0x03);
  rig.outb(kPorts.count, 0x22);
  rig.outb(kPorts.command, 0xEF);
  CHECK(rig.disk->identify()[59] == 0x0108);
  rig.outb(kCtl, ata::kCtlSrst);  // a soft reset keeps the settings
  rig.outb(kCtl, 0);
  CHECK(rig.disk->identify()[59] == 0x0108);
  rig.ide.reset();
  const auto id = rig.disk->identify();
  CHECK(id[59] == 0x0100);
  CHECK(id[55] == 16);
  CHECK(id[56] == 63);
  CHECK(id[63] == 0x0007);
}

TEST_CASE("IDE: no DMA while the PCI function may not master the bus") {
  DiskRig rig;
  bool enabled = false;
  rig.ide.set_bus_master_enable([&] { return enabled; });
  rig.write_prd(0x1000, {{0x2000, 512}});
  rig.ide.bus_master_write(4, 0x1000, 4);
  rig.lba28(3, 1);
  rig.outb(kPorts.command, 0xC8);
  rig.ide.bus_master_write(0, IdeBusMaster::kCmdStart | IdeBusMaster::kCmdToMemory, 1);
  CHECK_FALSE(rig.pic.level[kIrq]);
  CHECK((rig.inb(kCtl) & ata::kDrq) != 0);  // still waiting
  enabled = true;
  rig.ide.bus_master_write(0, IdeBusMaster::kCmdToMemory, 1);  // stop, then start again
  rig.ide.bus_master_write(0, IdeBusMaster::kCmdStart | IdeBusMaster::kCmdToMemory, 1);
  CHECK(rig.pic.level[kIrq]);
  std::vector<uint8_t> got(512);
  rig.mem.copy_from(0x2000, got.data(), got.size());
  CHECK(got == DiskRig::expected(3, 1));
}

TEST_CASE("IDE: DMA programmed through the PIIX3 IDE function's BAR4 on the PCI bus") {
  DiskRig rig;
  PciBus pci(rig.io, rig.mem);
  Piix3Ide function(rig.ide);
  const uint8_t devfn = PciBus::devfn(1, 1);
  pci.attach(devfn, &function);
  rig.ide.set_bus_master_enable([&] { return function.bus_master_enabled(); });
  auto config_write = [&](uint8_t reg, uint32_t v) {
    rig.io.out(PciBus::kConfigAddressPort, 0x80000000u | devfn << 8 | reg, 4);
    rig.io.out(PciBus::kConfigDataPort, v, 4);
  };
  constexpr uint16_t kBar = 0xC000;
  config_write(pci_reg::kBar0 + 4 * Piix3Ide::kBusMasterBar, kBar);
  config_write(pci_reg::kCommand, pci_reg::kCommandIo | pci_reg::kCommandBusMaster);

  rig.write_prd(0x1000, {{0x6000, 1024}});
  rig.io.out(kBar + 4, 0x1000, 4);
  rig.io.out(kBar, IdeBusMaster::kCmdToMemory, 1);
  rig.lba28(50, 2);
  rig.outb(kPorts.command, 0xC8);
  rig.io.out(kBar, IdeBusMaster::kCmdToMemory | IdeBusMaster::kCmdStart, 1);
  CHECK(rig.io.in(kBar + 2, 1) == IdeBusMaster::kStInterrupt);
  CHECK(rig.pic.level[kIrq]);
  std::vector<uint8_t> got(1024);
  rig.mem.copy_from(0x6000, got.data(), got.size());
  CHECK(got == DiskRig::expected(50, 2));
}

TEST_CASE("IDE: EXECUTE DEVICE DIAGNOSTIC reports success with signatures and selects device 0") {
  DiskRig rig(DiskImage::Mode::Snapshot, /*with_slave=*/true);
  rig.outb(kPorts.device, 0xB0);
  rig.outb(kPorts.count, 0x77);
  rig.outb(kPorts.command, 0x90);
  CHECK(rig.pic.level[kIrq]);
  CHECK((rig.inb(kPorts.device) & ata::kDevSlave) == 0);
  CHECK(rig.inb(kPorts.error) == 0x01);
  CHECK(rig.inb(kPorts.count) == 1);
  CHECK(rig.inb(kPorts.lba_low) == 1);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  CHECK(rig.inw(kBase) == 0xFFFF);  // no data phase: the data port floats
}
