// PC CMOS layout (see pc_cmos.h).
#include "devices/pc_cmos.h"

#include <algorithm>

namespace bt86 {

namespace {

constexpr uint64_t kKiB = 1024, kMiB = 1024 * 1024;
constexpr uint64_t kBaseMemKiB = 640;
constexpr uint64_t kMaxWord = 0xFFFF;
constexpr uint8_t kEquipFpu = 0x02, kEquipPs2Mouse = 0x04;  // display bits 00: EGA/VGA

void set_word(RtcCmos& rtc, uint8_t low_index, uint8_t high_index, uint64_t value) {
  const uint64_t v = std::min(value, kMaxWord);
  rtc.set_ram(low_index, uint8_t(v));
  rtc.set_ram(high_index, uint8_t(v >> 8));
}

// SeaBIOS's boot device numbers: 0 none, 1 floppy, 2 disk, 3 CD-ROM, 4 network.
uint8_t boot_device(const std::string& order, size_t i) {
  if (i >= order.size()) return 0;
  switch (order[i]) {
    case 'a': return 1;
    case 'c': return 2;
    case 'd': return 3;
    case 'n': return 4;
    default: return 0;
  }
}

}  // namespace

void fill_pc_cmos(RtcCmos& rtc, const PcCmosConfig& config) {
  rtc.set_ram(cmos::kFloppyTypes, 0);
  rtc.set_ram(cmos::kDiskTypes, 0);
  rtc.set_ram(cmos::kEquipment, kEquipFpu | kEquipPs2Mouse);
  set_word(rtc, cmos::kBaseMemLow, cmos::kBaseMemHigh, kBaseMemKiB);
  const uint64_t ext_kib = config.ram_bytes > kMiB ? (config.ram_bytes - kMiB) / kKiB : 0;
  set_word(rtc, cmos::kExtMemLow, cmos::kExtMemHigh, ext_kib);
  set_word(rtc, cmos::kExtMem2Low, cmos::kExtMem2High, ext_kib);
  const uint64_t above_16m =
      config.ram_bytes > 16 * kMiB ? (config.ram_bytes - 16 * kMiB) / (64 * kKiB) : 0;
  set_word(rtc, cmos::kMemAbove16MLow, cmos::kMemAbove16MHigh, above_16m);
  const uint8_t century = uint8_t((config.century / 10) << 4 | config.century % 10);
  rtc.set_ram(cmos::kCentury, century);
  rtc.set_ram(cmos::kPs2Century, century);
  // Low nibble of 0x38 clear: check the floppy boot signature (QEMU's default).
  rtc.set_ram(cmos::kBootOrder12, uint8_t(boot_device(config.boot_order, 1) << 4 |
                                          boot_device(config.boot_order, 0)));
  rtc.set_ram(cmos::kBootOrder3, uint8_t(boot_device(config.boot_order, 2) << 4));
  const uint16_t sum = pc_cmos_checksum(rtc);
  rtc.set_ram(cmos::kChecksumHigh, uint8_t(sum >> 8));
  rtc.set_ram(cmos::kChecksumLow, uint8_t(sum));
}

uint16_t pc_cmos_checksum(const RtcCmos& rtc) {
  uint16_t sum = 0;
  for (unsigned i = cmos::kChecksumFirst; i <= cmos::kChecksumLast; ++i) sum += rtc.ram(uint8_t(i));
  return sum;
}

}  // namespace bt86
