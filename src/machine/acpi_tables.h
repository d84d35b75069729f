// The ACPI tables of the machine, built once from its configuration:
//   RSDP (revision 0) -> RSDT -> FADT (revision 3) -> FACS, DSDT
// and deliberately no MADT: no local or I/O APIC is emulated, so Linux keeps the 8259 pair
// ("Using PIC for interrupt routing"). The FADT describes the PIIX4 PM block (PM1a event/control,
// PM timer, GPE0 at Piix4Pm offsets from the PM base), SCI IRQ 9, no SMI command port (always in
// ACPI mode), the reset register (I/O 0xCF9, value 0x06), the RTC century byte (CMOS 0x32) and
// the boot flags "legacy devices" and "8042". The DSDT (acpi_dsdt.cpp) describes the devices.
//
// The tables come as QEMU passes them to SeaBIOS: two files, "etc/acpi/rsdp" and
// "etc/acpi/tables" (FACS first, 64-byte aligned, then DSDT, FADT, RSDT), whose pointers hold
// offsets into "etc/acpi/tables" and whose checksums are zero, plus the linker commands that
// place them and fix both up (acpi_linker.h). image_at() runs those commands itself to give
// one linked image for guests started without firmware.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "machine/acpi_linker.h"

namespace bt86 {

struct AcpiConfig {
  uint64_t ram_bytes = 128ull << 20;  // the 32-bit PCI memory window starts above RAM
  uint16_t pm_base = 0x600;           // PIIX4 PM I/O block (Piix4Pm::kFirmwarePmBase)
  bool com_present[2] = {true, false};  // COM1 (0x3F8, IRQ4), COM2 (0x2F8, IRQ3)
};

// Offsets of FADT fields (ACPI 2.0+ layout; the table is 244 bytes, revision 3).
namespace fadt {
constexpr uint32_t kFirmwareCtrl = 36, kDsdt = 40, kSciInt = 46, kSmiCmd = 48;
constexpr uint32_t kPm1aEvtBlk = 56, kPm1aCntBlk = 64, kPmTmrBlk = 76, kGpe0Blk = 80;
constexpr uint32_t kPm1EvtLen = 88, kPm1CntLen = 89, kPmTmrLen = 91, kGpe0BlkLen = 92;
constexpr uint32_t kPLvl2Lat = 96, kPLvl3Lat = 98, kCentury = 108, kIapcBootArch = 109;
constexpr uint32_t kFlags = 112, kResetReg = 116, kResetValue = 128, kLength = 244;
constexpr uint16_t kBootArchLegacyDevices = 1u << 0, kBootArch8042 = 1u << 1;
constexpr uint32_t kFlagWbinvd = 1u << 0, kFlagProcC1 = 1u << 2, kFlagSlpButton = 1u << 5;
constexpr uint32_t kFlagResetRegSup = 1u << 10;
constexpr uint8_t kGasSystemIo = 1;
}  // namespace fadt

// The common 36-byte header of every table but the RSDP and FACS.
namespace acpi_header {
constexpr uint32_t kSignature = 0, kLength = 4, kRevision = 8, kChecksum = 9, kOemId = 10;
constexpr uint32_t kOemTableId = 16, kOemRevision = 24, kCreatorId = 28, kCreatorRevision = 32;
constexpr uint32_t kSize = 36;
}

struct AcpiTables {
  static constexpr const char* kRsdpFile = "etc/acpi/rsdp";
  static constexpr const char* kTablesFile = "etc/acpi/tables";
  static constexpr const char* kLoaderFile = "etc/table-loader";
  static constexpr uint32_t kRsdpSize = 20, kFacsSize = 64, kTablesAlign = 64;

  std::vector<uint8_t> rsdp, tables;  // unlinked
  AcpiLinker linker;
  uint32_t facs = 0, dsdt = 0, fadt = 0, rsdt = 0;  // offsets of each table in `tables`

  // RSDP at `base`, the tables at the next kTablesAlign boundary above it, linked for those
  // addresses, as one image starting at `base`.
  std::vector<uint8_t> image_at(uint32_t base) const;
  static uint32_t tables_offset_in_image() { return kTablesAlign; }
};

AcpiTables build_acpi_tables(const AcpiConfig& config);

// The DSDT's definition block (AML, without the table header): acpi_dsdt.cpp.
std::vector<uint8_t> build_dsdt_aml(const AcpiConfig& config);

}  // namespace bt86
