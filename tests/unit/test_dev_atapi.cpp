// The ATAPI CD-ROM on the secondary IDE channel: signature and IDENTIFY PACKET DEVICE, the
// PACKET protocol (command phase, PIO data blocks under the byte count limit, interrupt reason,
// status phase, DMA), and the MMC commands a BIOS and Linux's sr driver use, on an ISO-like
// image built here (2048-byte sectors with a known pattern and "CD001" at sector 16).
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "devices/ata_disk.h"
#include "devices/atapi_cdrom.h"
#include "ide_test_util.h"

using namespace bt86;
using namespace bt86::test;

namespace {

constexpr uint16_t kBase = 0x170, kCtl = 0x376;
constexpr TaskFilePorts kPorts = TaskFilePorts::at(kBase);
constexpr unsigned kIrq = 15;
constexpr uint32_t kIsoSectors = 64;

struct CdRig : IdeRig {
  TempImage file{"iso", kIsoSectors * 2048};
  AtapiCdrom* cd = nullptr;
  CdRig() {
    auto bytes = file.contents();
    const std::string magic = "\x01" "CD001";
    std::copy(magic.begin(), magic.end(), bytes.begin() + 16 * 2048);
    file.write(bytes);
    auto d = std::make_unique<AtapiCdrom>(
        std::make_unique<DiskImage>(file.path(), DiskImage::Mode::ReadOnly, "-cdrom"));
    cd = d.get();
    ide.attach_drive(1, 0, std::move(d));
    ide.reset();
  }

  struct Reply {
    uint8_t status = 0, error = 0;
    std::vector<uint8_t> data;
    std::vector<size_t> blocks;  // sizes of the DRQ blocks
  };
  // Sends a PACKET command and, by PIO, collects its data; checks the protocol on the way.
  Reply packet(std::vector<uint8_t> cdb, uint16_t byte_limit = 0xFFFE) {
    cdb.resize(12, 0);
    outb(kPorts.device, 0xA0);
    outb(kPorts.feature, 0);
    outb(kPorts.lba_mid, uint8_t(byte_limit));
    outb(kPorts.lba_high, uint8_t(byte_limit >> 8));
    outb(0x177, 0xA0);
    CHECK((inb(kCtl) & (ata::kDrq | ata::kBsy)) == ata::kDrq);
    CHECK((inb(kPorts.count) & 3) == 1);  // CoD: the drive wants the command
    write_data(kBase, cdb.data(), cdb.size());
    Reply r;
    for (;;) {
      const bool irq = pic.level[kIrq];
      r.status = inb(kPorts.status);
      CHECK(irq);
      if (!(r.status & ata::kDrq)) break;
      CHECK((inb(kPorts.count) & 3) == 2);  // IO: data to the host
      const size_t n = inb(kPorts.lba_mid) | inb(kPorts.lba_high) << 8;
      CHECK(n <= byte_limit);
      r.blocks.push_back(n);
      auto block = read_data(kBase, n);
      block.resize(n);
      r.data.insert(r.data.end(), block.begin(), block.end());
    }
    CHECK((inb(kPorts.count) & 3) == 3);  // status phase
    r.error = inb(kPorts.error);
    return r;
  }
  static uint32_t be32(const std::vector<uint8_t>& d, size_t at) {
    return uint32_t(d[at]) << 24 | d[at + 1] << 16 | d[at + 2] << 8 | d[at + 3];
  }
};

std::vector<uint8_t> iso_bytes(const CdRig& rig, uint32_t lba, uint32_t n) {
  const auto all = rig.file.contents();
  return {all.begin() + lba * 2048, all.begin() + (lba + n) * 2048};
}

}  // namespace

TEST_CASE("ATAPI: packet signature after reset; IDENTIFY DEVICE aborts, IDENTIFY PACKET DEVICE answers") {
  CdRig rig;
  CHECK(rig.inb(kPorts.status) == 0);  // DRDY stays clear until the first command
  CHECK(rig.inb(kPorts.count) == 1);
  CHECK(rig.inb(kPorts.lba_low) == 1);
  CHECK(rig.inb(kPorts.lba_mid) == 0x14);
  CHECK(rig.inb(kPorts.lba_high) == 0xEB);

  rig.outb(0x177, 0xEC);
  CHECK(rig.pic.level[kIrq]);
  CHECK((rig.inb(kPorts.status) & ata::kErr) != 0);
  CHECK(rig.inb(kPorts.error) == ata::kAbrt);
  CHECK(rig.inb(kPorts.lba_mid) == 0x14);
  CHECK(rig.inb(kPorts.lba_high) == 0xEB);

  rig.outb(0x177, 0xA1);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc | ata::kDrq));
  const auto id = rig.read_data(kBase, 512);
  CHECK((id[0] | id[1] << 8) == 0x85C0);
  std::string model;
  for (unsigned w = 27; w < 33; ++w) model += {char(id[2 * w + 1]), char(id[2 * w])};
  CHECK(model == "bt86 DVD-ROM");
  CHECK(((id[98] | id[99] << 8) & 0x0300) == 0x0300);  // word 49: LBA, DMA
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
}

TEST_CASE("ATAPI: TEST UNIT READY, INQUIRY and READ CAPACITY") {
  CdRig rig;
  auto tur = rig.packet({0x00});
  CHECK(tur.status == (ata::kDrdy | ata::kDsc));
  CHECK(tur.data.empty());

  auto inq = rig.packet({0x12, 0, 0, 0, 36, 0});
  REQUIRE(inq.data.size() == 36);
  CHECK(inq.data[0] == 0x05);
  CHECK(inq.data[1] == 0x80);
  CHECK(std::string(inq.data.begin() + 8, inq.data.begin() + 12) == "bt86");
  CHECK(std::string(inq.data.begin() + 16, inq.data.begin() + 28) == "bt86 DVD-ROM");
  CHECK(rig.packet({0x12, 0, 0, 0, 5, 0}).data.size() == 5);  // cut to the allocation length

  auto cap = rig.packet({0x25});
  REQUIRE(cap.data.size() == 8);
  CHECK(CdRig::be32(cap.data, 0) == kIsoSectors - 1);
  CHECK(CdRig::be32(cap.data, 4) == 2048);
}

TEST_CASE("ATAPI: READ(10) and READ(12) by PIO in blocks of the byte count limit") {
  CdRig rig;
  auto r = rig.packet({0x28, 0, 0, 0, 0, 16, 0, 0, 3, 0}, /*byte_limit=*/2048);
  CHECK(r.status == (ata::kDrdy | ata::kDsc));
  CHECK(r.blocks == std::vector<size_t>{2048, 2048, 2048});
  CHECK(r.data == iso_bytes(rig, 16, 3));
  CHECK(std::string(r.data.begin() + 1, r.data.begin() + 6) == "CD001");

  auto r12 = rig.packet({0xA8, 0, 0, 0, 0, 62, 0, 0, 0, 2, 0, 0}, /*byte_limit=*/0x1001);  // odd limit
  CHECK(r12.blocks == std::vector<size_t>{0x1000});
  CHECK(r12.data == iso_bytes(rig, 62, 2));
}

TEST_CASE("ATAPI: CHECK CONDITION and REQUEST SENSE") {
  CdRig rig;
  auto bad = rig.packet({0xD8});  // not an MMC command
  CHECK(bad.status == (ata::kDrdy | ata::kDsc | ata::kErr));
  CHECK(bad.error == 0x50);  // sense key ILLEGAL REQUEST in the high nibble
  auto sense = rig.packet({0x03, 0, 0, 0, 18, 0});
  REQUIRE(sense.data.size() == 18);
  CHECK(sense.data[0] == 0x70);
  CHECK((sense.data[2] & 0x0F) == 0x05);
  CHECK(sense.data[12] == 0x20);  // INVALID COMMAND OPERATION CODE
  CHECK(rig.packet({0x03, 0, 0, 0, 18, 0}).data[2] == 0);  // reported once

  auto out = rig.packet({0x28, 0, 0, 0, 0, 63, 0, 0, 2, 0});  // runs past the last sector
  CHECK(out.error == 0x50);
  CHECK(rig.packet({0x03, 0, 0, 0, 18, 0}).data[12] == 0x21);  // LBA OUT OF RANGE
}

TEST_CASE("ATAPI: READ TOC formats 0 and 1 in LBA and MSF form") {
  CdRig rig;
  auto toc = rig.packet({0x43, 0, 0, 0, 0, 0, 0, 0, 100, 0});
  REQUIRE(toc.data.size() == 20);
  CHECK((toc.data[0] << 8 | toc.data[1]) == 18);
  CHECK(toc.data[2] == 1);
  CHECK(toc.data[3] == 1);
  CHECK(toc.data[5] == 0x14);  // data track
  CHECK(toc.data[6] == 1);
  CHECK(CdRig::be32(toc.data, 8) == 0);
  CHECK(toc.data[14] == 0xAA);  // lead-out
  CHECK(CdRig::be32(toc.data, 16) == kIsoSectors);

  auto msf = rig.packet({0x43, 0x02, 0, 0, 0, 0, 0, 0, 100, 0});
  REQUIRE(msf.data.size() == 20);
  CHECK(std::vector<uint8_t>(msf.data.begin() + 8, msf.data.begin() + 12) == std::vector<uint8_t>{0, 0, 2, 0});
  // lead-out at LBA 64 + 150 = 214 frames: 0 min, 2 s, 64 frames
  CHECK(std::vector<uint8_t>(msf.data.begin() + 16, msf.data.begin() + 20) == std::vector<uint8_t>{0, 0, 2, 64});

  auto session = rig.packet({0x43, 0, 1, 0, 0, 0, 0, 0, 12, 0});
  REQUIRE(session.data.size() == 12);
  CHECK((session.data[0] << 8 | session.data[1]) == 10);
  CHECK(session.data[6] == 1);
  CHECK(CdRig::be32(session.data, 8) == 0);
}

TEST_CASE("ATAPI: MODE SENSE capabilities page, GET CONFIGURATION, events, disc information") {
  CdRig rig;
  auto ms = rig.packet({0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 64, 0});
  REQUIRE(ms.data.size() == 28);
  CHECK((ms.data[0] << 8 | ms.data[1]) == 26);
  CHECK(ms.data[8] == 0x2A);
  CHECK(ms.data[9] == 18);
  auto ms6 = rig.packet({0x1A, 0, 0x3F, 0, 255, 0});
  CHECK(ms6.data.size() == 4 + 8 + 20);
  CHECK(ms6.data[0] == 31);
  CHECK(rig.packet({0x5A, 0, 0x05, 0, 0, 0, 0, 0, 64, 0}).error == 0x50);  // no such page

  rig.packet({0x1E, 0, 0, 0, 1, 0});  // PREVENT MEDIUM REMOVAL
  CHECK(rig.cd->mmc().locked());
  CHECK((rig.packet({0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 64, 0}).data[8 + 6] & 0x02) != 0);

  auto cfg = rig.packet({0x46, 0, 0, 0, 0, 0, 0, 0x01, 0, 0});
  REQUIRE(cfg.data.size() >= 8);
  CHECK((cfg.data[6] << 8 | cfg.data[7]) == 0x0008);  // a small disc: CD-ROM profile
  CHECK(CdRig::be32(cfg.data, 0) == cfg.data.size() - 4);

  auto ev = rig.packet({0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8, 0});
  REQUIRE(ev.data.size() == 8);
  CHECK(ev.data[2] == 4);     // media class
  CHECK(ev.data[5] == 0x02);  // medium present
  CHECK(rig.packet({0x4A, 0, 0, 0, 0x10, 0, 0, 0, 8, 0}).error == 0x50);  // not polled

  auto di = rig.packet({0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0});
  REQUIRE(di.data.size() == 34);
  CHECK(di.data[2] == 0x0E);
  CHECK(rig.packet({0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8}).data.size() == 8);
  CHECK(rig.packet({0xBB}).status == (ata::kDrdy | ata::kDsc));
  CHECK(rig.packet({0x1B, 0, 0, 0, 1, 0}).status == (ata::kDrdy | ata::kDsc));
}

TEST_CASE("ATAPI: READ(10) by DMA through the bus master") {
  CdRig rig;
  rig.write_prd(0x1000, {{0x4000, 4096}});
  rig.ide.bus_master_write(8 + 4, 0x1000, 4);  // secondary channel: BAR4 offset 8
  rig.outb(kPorts.device, 0xA0);
  rig.outb(kPorts.feature, 0x01);  // DMA
  rig.outb(0x177, 0xA0);
  const std::vector<uint8_t> cdb = {0x28, 0, 0, 0, 0, 20, 0, 0, 2, 0, 0, 0};
  rig.write_data(kBase, cdb.data(), cdb.size());
  CHECK_FALSE(rig.pic.level[kIrq]);
  CHECK((rig.inb(kCtl) & ata::kDrq) != 0);
  rig.ide.bus_master_write(8, IdeBusMaster::kCmdStart | IdeBusMaster::kCmdToMemory, 1);
  CHECK(rig.pic.level[kIrq]);
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  CHECK((rig.inb(kPorts.count) & 3) == 3);
  CHECK(rig.ide.bus_master_read(8 + 2, 1) == IdeBusMaster::kStInterrupt);
  std::vector<uint8_t> got(4096);
  rig.mem.copy_from(0x4000, got.data(), got.size());
  CHECK(got == iso_bytes(rig, 20, 2));
}

TEST_CASE("ATAPI: soft reset with an ATA disk master and the CD-ROM as slave") {
  IdeRig rig;
  TempImage disk("atapi_disk", 1 << 20), iso("atapi_iso", 8 * 2048);
  rig.ide.attach_drive(1, 0, std::make_unique<AtaDisk>(
                                 std::make_unique<DiskImage>(disk.path(), DiskImage::Mode::Snapshot, "-hdc")));
  rig.ide.attach_drive(1, 1, std::make_unique<AtapiCdrom>(
                                 std::make_unique<DiskImage>(iso.path(), DiskImage::Mode::ReadOnly, "-cdrom")));
  rig.ide.reset();
  rig.outb(kCtl, ata::kCtlSrst);
  rig.outb(kCtl, 0);
  CHECK(rig.inb(kPorts.lba_mid) == 0x00);  // master: ATA
  CHECK(rig.inb(kPorts.status) == (ata::kDrdy | ata::kDsc));
  rig.outb(kPorts.device, 0xB0);
  CHECK(rig.inb(kPorts.lba_mid) == 0x14);  // slave: ATAPI
  CHECK(rig.inb(kPorts.lba_high) == 0xEB);
  CHECK(rig.inb(kPorts.status) == 0);
}

TEST_CASE("MMC: large discs report the DVD-ROM profile; over-long READs are refused") {
  const std::string path = "/tmp/bt86_test_dvd_" + std::to_string(::getpid()) + ".iso";
  std::ofstream(path, std::ios::binary).close();
  REQUIRE(::truncate(path.c_str(), off_t(CdromMmc::kCdMaxSectors + 1) * 2048) == 0);  // sparse
  CdromMmc mmc(std::make_unique<DiskImage>(path, DiskImage::Mode::ReadOnly, "-cdrom"));
  CHECK(mmc.is_dvd());
  auto cfg = mmc.execute({0x46, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0});
  REQUIRE(cfg.data.size() >= 8);
  CHECK((cfg.data[6] << 8 | cfg.data[7]) == 0x0010);
  const uint32_t n = CdromMmc::kMaxReadSectors + 1;
  auto r = mmc.execute({0xA8, 0, 0, 0, 0, 0, uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n), 0, 0});
  CHECK(r.sense_key == scsi::kIllegalRequest);
  CHECK(r.asc == scsi::kAscInvalidField);
  auto ok = mmc.execute({0x28, 0, 0, 0, 0x10, 0, 0, 0, 1, 0, 0, 0});
  CHECK(ok.good());
  CHECK(ok.data == std::vector<uint8_t>(2048, 0));
  ::unlink(path.c_str());
}
