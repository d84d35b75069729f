// End to end: Debian's SeaBIOS finds the IDE drives and boots from them, as on QEMU's "pc"
// machine. A hard disk boot sector and an El Torito (no emulation) CD built here read a sector
// through INT 13h and exit through port 0xF4 with a byte of what they read. Skipped when the
// SeaBIOS image is not installed.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <string>
#include <vector>

#include "ide_test_util.h"
#include "machine/machine.h"

using namespace bt86;
using namespace bt86::test;

namespace {

constexpr uint8_t kDiskMarker = 42;  // first byte of disk sector 1

bool have_seabios() {
  struct stat st {};
  return ::stat(kDefaultBiosPath, &st) == 0;
}

MachineOptions boot_options(const std::string& boot_order) {
  MachineOptions o;
  o.vga = "none";
  o.debugcon = "none";
  o.boot_order = boot_order;
  o.timeout_s = 20;
  return o;
}

// Boot sector: INT 13h AH=02h reads CHS sector 2 of drive 80h to 0:8000h, then exits with its
// first byte (99 if the read failed).
std::vector<uint8_t> disk_image() {
  std::vector<uint8_t> img(1 << 20, 0);
  const std::vector<uint8_t> code = {
      0xB8, 0x01, 0x02,  // mov ax, 0x0201
      0xBB, 0x00, 0x80,  // mov bx, 0x8000
      0xB9, 0x02, 0x00,  // mov cx, 0x0002
      0xB6, 0x00,        // mov dh, 0
      0xB2, 0x80,        // mov dl, 0x80
      0xCD, 0x13,        // int 0x13
      0x72, 0x05,        // jc fail
      0xA0, 0x00, 0x80,  // mov al, [0x8000]
      0xE6, 0xF4,        // out 0xF4, al
      0xB0, 99,          // fail: mov al, 99
      0xE6, 0xF4,        // out 0xF4, al
  };
  std::copy(code.begin(), code.end(), img.begin());
  img[510] = 0x55;
  img[511] = 0xAA;
  img[512] = kDiskMarker;
  return img;
}

// A minimal El Torito CD: boot record volume descriptor at sector 17, boot catalog at 19, a
// no-emulation boot image at 20 that reads sector 16 with INT 13h AH=42h (drive in DL) and exits
// with its second byte ('C' of "CD001").
std::vector<uint8_t> cd_image() {
  constexpr size_t kSector = 2048;
  std::vector<uint8_t> iso(32 * kSector, 0);
  auto put = [&](size_t at, const std::string& s) { std::copy(s.begin(), s.end(), iso.begin() + at); };
  put(16 * kSector, "\x01" "CD001\x01");              // primary volume descriptor (type only)
  put(17 * kSector, std::string("\x00" "CD001\x01", 7) + "EL TORITO SPECIFICATION");
  iso[17 * kSector + 0x47] = 19;                      // boot catalog LBA
  put(18 * kSector, "\xFF" "CD001\x01");              // descriptor set terminator
  uint8_t* cat = &iso[19 * kSector];
  cat[0] = 1;                                         // validation entry, platform x86
  cat[0x1E] = 0x55;
  cat[0x1F] = 0xAA;
  uint16_t sum = 0;
  for (int i = 0; i < 32; i += 2) sum = uint16_t(sum + (cat[i] | cat[i + 1] << 8));
  cat[0x1C] = uint8_t(-sum);
  cat[0x1D] = uint8_t(uint16_t(-sum) >> 8);
  cat[0x20] = 0x88;                                   // bootable, no emulation
  cat[0x26] = 4;                                      // 4 virtual 512-byte sectors
  cat[0x28] = 20;                                     // image LBA
  const std::vector<uint8_t> code = {
      0xBE, 0x12, 0x7C,  // mov si, dap
      0xB4, 0x42,        // mov ah, 0x42
      0xCD, 0x13,        // int 0x13
      0x72, 0x05,        // jc fail
      0xA0, 0x01, 0x80,  // mov al, [0x8001]
      0xE6, 0xF4,        // out 0xF4, al
      0xB0, 99,          // fail: mov al, 99
      0xE6, 0xF4,        // out 0xF4, al
      // dap (0x7C12): size 16, 1 sector, to 0000:8000, LBA 16
      0x10, 0x00, 0x01, 0x00, 0x00, 0x80, 0x00, 0x00, 16, 0, 0, 0, 0, 0, 0, 0,
  };
  std::copy(code.begin(), code.end(), iso.begin() + 20 * kSector);
  return iso;
}

}  // namespace

TEST_CASE("SeaBIOS boots from an IDE hard disk (-hda, -boot c)") {
  if (!have_seabios()) return;
  TempImage disk("boot_hda", 0);
  disk.write(disk_image());
  MachineOptions o = boot_options("c");
  o.hd[0] = disk.path();
  o.snapshot = true;
  Machine m(o);
  CHECK(m.run() == kDiskMarker);
}

TEST_CASE("SeaBIOS boots an El Torito CD in the ATAPI drive (-cdrom, -boot d)") {
  if (!have_seabios()) return;
  TempImage disk("boot_cd_disk", 0), iso("boot_cd", 0);
  disk.write(disk_image());
  iso.write(cd_image());
  MachineOptions o = boot_options("d");
  o.hd[0] = disk.path();  // a disk is present too; the boot order picks the CD
  o.cdrom = iso.path();
  Machine m(o);
  CHECK(m.run() == 'C');
}
