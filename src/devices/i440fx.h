// Intel 82441FX PMC, the i440FX host bridge (8086:1237) at 00:00.0 of QEMU's "pc" machine.
//
// What firmware uses of it here: the PAM registers 0x59-0x5F, which decide for each part of the
// legacy BIOS area 0xC0000-0xFFFFF whether reads and writes go to DRAM or are forwarded to PCI
// (where the BIOS ROM answers). Each register holds two 4-bit fields, low nibble for the lower
// half of its range, bit 0 RE (read enable: reads hit DRAM), bit 1 WE (write enable: writes hit
// DRAM), bit 2 CE (caching; stored, no effect):
//   0x59 bits 7:4  0xF0000-0xFFFFF (64 KiB; bits 3:0 reserved)
//   0x5A..0x5F     0xC0000-0xEFFFF in 16 KiB pieces (0x5A: C0000 low nibble, C4000 high nibble)
// SeaBIOS runs from ROM, sets RE|WE, copies itself into the DRAM underneath, and at the end of
// POST clears WE so its shadow copy is write-protected. The modes are applied to PhysMem, which
// flushes TLBs and invalidates decoded code whose bytes the switch changes.
// SMRAM (0x72) is fixed at "closed, A0000" (0x02): no SMM.
#pragma once
#include "devices/pci.h"

namespace bt86 {

class I440fx : public PciDevice {
 public:
  static constexpr uint8_t kPam0 = 0x59, kPamCount = 7, kSmram = 0x72;
  explicit I440fx(PhysMem& mem);
  const char* name() const override { return "i440fx"; }
  void reset() override;

 protected:
  void config_written(uint8_t offset, unsigned size) override;

 private:
  void apply_pam();
  PhysMem& mem_;
};

}  // namespace bt86
