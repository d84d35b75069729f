// The CMOS RAM bytes a PC BIOS reads at boot, laid out as QEMU's "pc" machine fills them (SeaBIOS
// relies on this layout): base and extended memory sizes, memory above 16 MiB, the equipment
// byte, the century, SeaBIOS's boot order, no floppy or legacy disk types, and the standard
// checksum over 0x10-0x2D.
#pragma once
#include <cstdint>
#include <string>
#include "devices/rtc_cmos.h"

namespace bt86 {

namespace cmos {
constexpr uint8_t kFloppyTypes = 0x10, kDiskTypes = 0x12, kEquipment = 0x14, kBaseMemLow = 0x15,
                  kBaseMemHigh = 0x16, kExtMemLow = 0x17, kExtMemHigh = 0x18,
                  kChecksumHigh = 0x2E, kChecksumLow = 0x2F, kExtMem2Low = 0x30,
                  kExtMem2High = 0x31, kCentury = 0x32, kMemAbove16MLow = 0x34,
                  kMemAbove16MHigh = 0x35, kPs2Century = 0x37, kBootOrder3 = 0x38,
                  kBootOrder12 = 0x3D;
constexpr uint8_t kChecksumFirst = 0x10, kChecksumLast = 0x2D;
}  // namespace cmos

struct PcCmosConfig {
  uint64_t ram_bytes = 0;
  // Boot devices in order, QEMU -boot letters: a floppy, c disk, d CD-ROM, n network.
  std::string boot_order = "cad";
  int century = 20;
};

// Fills the BIOS bytes and the checksum. The century is written in BCD, as BIOSes read it.
void fill_pc_cmos(RtcCmos& rtc, const PcCmosConfig& config);
// The checksum word the BIOS expects at 0x2E (high) / 0x2F (low).
uint16_t pc_cmos_checksum(const RtcCmos& rtc);

}  // namespace bt86
