// The storage options: -hda..-hdd, -cdrom and -snapshot on the command line, and the drives the
// machine builds from them (positions, snapshot mode, clear errors for unusable images).
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "devices/ata_disk.h"
#include "frontend/cli_options.h"
#include "ide_test_util.h"
#include "machine/ide_drives.h"

using namespace bt86;
using namespace bt86::test;

TEST_CASE("cli: -hda..-hdd, -cdrom and -snapshot") {
  const CliOptions o = parse_cli({"-hda", "a.img", "-hdb", "b.img", "--hdd", "d.img", "-cdrom", "x.iso", "-snapshot"});
  CHECK(o.machine.hd[0] == "a.img");
  CHECK(o.machine.hd[1] == "b.img");
  CHECK(o.machine.hd[2].empty());
  CHECK(o.machine.hd[3] == "d.img");
  CHECK(o.machine.cdrom == "x.iso");
  CHECK(o.machine.snapshot);
  CHECK_FALSE(parse_cli({}).machine.snapshot);
  CHECK_THROWS_AS(parse_cli({"-hda"}), CliError);
  CHECK(cli_usage().find("-cdrom FILE") != std::string::npos);
}

TEST_CASE("attach_ide_drives places disks and the CD-ROM as QEMU does") {
  TempImage disk("opt_disk", 1 << 20), iso("opt_iso", 4 * 2048);
  MachineOptions opt;
  opt.hd[1] = disk.path();
  opt.hd[3] = disk.path();
  opt.cdrom = iso.path();
  opt.snapshot = true;
  PhysMem mem(1 << 20);
  IdeController ide(mem);
  attach_ide_drives(ide, opt);
  CHECK(ide.channel(0).drive(0) == nullptr);
  REQUIRE(ide.channel(0).drive(1) != nullptr);
  CHECK_FALSE(ide.channel(0).drive(1)->is_atapi());
  REQUIRE(ide.channel(1).drive(0) != nullptr);
  CHECK(ide.channel(1).drive(0)->is_atapi());
  CHECK_FALSE(ide.channel(1).drive(1)->is_atapi());

  // With -snapshot the guest's writes do not reach the file.
  const auto before = disk.contents();
  IoBus io;
  IrqRecorder pic;
  ide.attach(io, &pic);
  ide.reset();
  io.out(0x1F6, 0xF0, 1);  // primary slave, LBA
  io.out(0x1F2, 1, 1);
  io.out(0x1F3, 0, 1);
  io.out(0x1F4, 0, 1);
  io.out(0x1F5, 0, 1);
  io.out(0x1F7, 0x30, 1);
  for (int i = 0; i < 256; ++i) io.out(0x1F0, 0xBEEF, 2);
  CHECK(io.in(0x1F7, 1) == (ata::kDrdy | ata::kDsc));
  io.out(0x1F7, 0x20, 1);
  CHECK(io.in(0x1F0, 2) == 0xBEEF);  // the guest sees its write
  CHECK(disk.contents() == before);   // the file does not
}

TEST_CASE("attach_ide_drives: unusable images and conflicting positions are clear errors") {
  PhysMem mem(1 << 20);
  auto error_of = [&](const MachineOptions& opt) {
    IdeController ide(mem);
    try {
      attach_ide_drives(ide, opt);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  MachineOptions missing;
  missing.hd[2] = "/tmp/bt86_missing_disk.img";
  CHECK(error_of(missing).rfind("-hdc: cannot use image '/tmp/bt86_missing_disk.img'", 0) == 0);
  MachineOptions cd_missing;
  cd_missing.cdrom = "/tmp/bt86_missing.iso";
  CHECK(error_of(cd_missing).rfind("-cdrom:", 0) == 0);
  TempImage disk("opt_conflict", 4096), tiny("opt_tiny", 100);
  MachineOptions both;
  both.hd[2] = disk.path();
  both.cdrom = disk.path();
  CHECK(error_of(both).find("-hdc and -cdrom") != std::string::npos);
  MachineOptions small_cd;
  small_cd.cdrom = tiny.path();
  CHECK(error_of(small_cd).find("smaller than one 2048-byte sector") != std::string::npos);
}
