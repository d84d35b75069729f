// RSDP, RSDT, FADT and FACS, the DSDT's table header, and the linker commands that tie them
// together (see acpi_tables.h).
#include "machine/acpi_tables.h"

#include <algorithm>
#include <cstring>

#include "devices/pci.h"
#include "devices/piix4_pm.h"
#include "machine/le_bytes.h"

namespace bt86 {

namespace {

using Bytes = std::vector<uint8_t>;

constexpr char kOemId[] = "BT86  ";          // 6 bytes
constexpr char kOemTableId[] = "BT86PC  ";   // 8 bytes
constexpr char kCreatorId[] = "BT86";
constexpr uint32_t kOemRevision = 1, kCreatorRevision = 1;
constexpr uint8_t kRsdtRevision = 1, kFadtRevision = 3, kDsdtRevision = 1;  // DSDT 1: 32-bit integers
constexpr uint16_t kCLatencyUnsupported = 0x0FFF;  // P_LVL2/3_LAT above 100/1000 us: no C2/C3
constexpr uint8_t kCmosCentury = 0x32;
constexpr uint8_t kResetRegisterValue = 0x06;             // PIIX3 RCR: system reset (bit 1) + reset CPU (bit 2)
constexpr uint32_t kRsdpChecksum = 8, kRsdpOemId = 9, kRsdpRevision = 15, kRsdpRsdtAddress = 16;
constexpr uint32_t kFacsLength = 4;

void put_text(Bytes& b, size_t at, const char* text) { std::memcpy(b.data() + at, text, std::strlen(text)); }

Bytes table(const char* signature, uint8_t revision, size_t length) {
  Bytes t(length, 0);
  put_text(t, acpi_header::kSignature, signature);
  put_le<uint32_t>(t, acpi_header::kLength, uint32_t(length));
  t[acpi_header::kRevision] = revision;
  put_text(t, acpi_header::kOemId, kOemId);
  put_text(t, acpi_header::kOemTableId, kOemTableId);
  put_le<uint32_t>(t, acpi_header::kOemRevision, kOemRevision);
  put_text(t, acpi_header::kCreatorId, kCreatorId);
  put_le<uint32_t>(t, acpi_header::kCreatorRevision, kCreatorRevision);
  return t;
}

Bytes build_facs() {
  Bytes f(AcpiTables::kFacsSize, 0);
  put_text(f, 0, "FACS");
  put_le<uint32_t>(f, kFacsLength, AcpiTables::kFacsSize);
  return f;
}

// FIRMWARE_CTRL and DSDT hold offsets into the tables file; the linker adds its address.
Bytes build_fadt(const AcpiConfig& config, uint32_t facs, uint32_t dsdt) {
  using namespace fadt;
  Bytes f = table("FACP", kFadtRevision, kLength);
  put_le<uint32_t>(f, kFirmwareCtrl, facs);
  put_le<uint32_t>(f, kDsdt, dsdt);
  put_le<uint16_t>(f, kSciInt, Piix4Pm::kSciIrq);
  put_le<uint32_t>(f, kSmiCmd, 0);  // no SMI command port: always in ACPI mode
  put_le<uint32_t>(f, kPm1aEvtBlk, config.pm_base + Piix4Pm::kPm1Sts);
  put_le<uint32_t>(f, kPm1aCntBlk, config.pm_base + Piix4Pm::kPm1Cnt);
  put_le<uint32_t>(f, kPmTmrBlk, config.pm_base + Piix4Pm::kPmTmr);
  put_le<uint32_t>(f, kGpe0Blk, config.pm_base + Piix4Pm::kGpe0Sts);
  f[kPm1EvtLen] = Piix4Pm::kPm1EvtLen;
  f[kPm1CntLen] = Piix4Pm::kPm1CntLen;
  f[kPmTmrLen] = Piix4Pm::kPmTmrLen;
  f[kGpe0BlkLen] = Piix4Pm::kGpe0Len;
  put_le<uint16_t>(f, kPLvl2Lat, kCLatencyUnsupported);
  put_le<uint16_t>(f, kPLvl3Lat, kCLatencyUnsupported);
  f[kCentury] = kCmosCentury;
  put_le<uint16_t>(f, kIapcBootArch, kBootArchLegacyDevices | kBootArch8042);
  put_le<uint32_t>(f, kFlags, kFlagWbinvd | kFlagProcC1 | kFlagSlpButton | kFlagResetRegSup);
  // RESET_REG: generic address structure {space, bit width, bit offset, access size, u64 address}.
  f[kResetReg + 0] = kGasSystemIo;
  f[kResetReg + 1] = 8;
  f[kResetReg + 3] = 1;  // byte access
  put_le<uint64_t>(f, kResetReg + 4, PciBus::kResetControlPort);
  f[kResetValue] = kResetRegisterValue;
  return f;
}

Bytes build_dsdt(const AcpiConfig& config) {
  const Bytes aml = build_dsdt_aml(config);
  Bytes d = table("DSDT", kDsdtRevision, acpi_header::kSize + aml.size());
  std::copy(aml.begin(), aml.end(), d.begin() + acpi_header::kSize);
  return d;
}

Bytes build_rsdt(uint32_t fadt) {
  Bytes r = table("RSDT", kRsdtRevision, acpi_header::kSize + 4);
  put_le<uint32_t>(r, acpi_header::kSize, fadt);
  return r;
}

Bytes build_rsdp(uint32_t rsdt) {
  Bytes r(AcpiTables::kRsdpSize, 0);
  put_text(r, 0, "RSD PTR ");
  put_text(r, kRsdpOemId, kOemId);
  r[kRsdpRevision] = 0;  // ACPI 1.0: RSDT only
  put_le<uint32_t>(r, kRsdpRsdtAddress, rsdt);
  return r;
}

// Appends `t` to `tables` at a 4-byte boundary; returns its offset.
uint32_t append_table(Bytes& tables, const Bytes& t) {
  tables.resize((tables.size() + 3) & ~size_t(3), 0);
  const uint32_t at = uint32_t(tables.size());
  tables.insert(tables.end(), t.begin(), t.end());
  return at;
}

}  // namespace

AcpiTables build_acpi_tables(const AcpiConfig& config) {
  AcpiTables t;
  const std::string tables = AcpiTables::kTablesFile, rsdp = AcpiTables::kRsdpFile;
  AcpiLinker& l = t.linker;
  auto checksum_last_table = [&](uint32_t at) {  // the table just appended at `at`
    l.add_checksum(tables, at + acpi_header::kChecksum, at, uint32_t(t.tables.size()) - at);
  };

  l.allocate(tables, AcpiTables::kTablesAlign, AcpiLinker::Zone::High);
  t.facs = append_table(t.tables, build_facs());  // offset 0: 64-byte aligned as FACS must be
  t.dsdt = append_table(t.tables, build_dsdt(config));
  checksum_last_table(t.dsdt);
  t.fadt = append_table(t.tables, build_fadt(config, t.facs, t.dsdt));
  l.add_pointer(tables, t.fadt + fadt::kFirmwareCtrl, 4, tables);
  l.add_pointer(tables, t.fadt + fadt::kDsdt, 4, tables);
  checksum_last_table(t.fadt);
  t.rsdt = append_table(t.tables, build_rsdt(t.fadt));
  l.add_pointer(tables, t.rsdt + acpi_header::kSize, 4, tables);
  checksum_last_table(t.rsdt);

  t.rsdp = build_rsdp(t.rsdt);
  l.allocate(rsdp, 16, AcpiLinker::Zone::FSeg);
  l.add_pointer(rsdp, kRsdpRsdtAddress, 4, tables);
  l.add_checksum(rsdp, kRsdpChecksum, 0, AcpiTables::kRsdpSize);
  return t;
}

std::vector<uint8_t> AcpiTables::image_at(uint32_t base) const {
  std::map<std::string, std::vector<uint8_t>> files{{kRsdpFile, rsdp}, {kTablesFile, tables}};
  linker.link(files, {{kRsdpFile, base}, {kTablesFile, base + tables_offset_in_image()}});
  std::vector<uint8_t> image(tables_offset_in_image() + tables.size(), 0);
  std::copy(files[kRsdpFile].begin(), files[kRsdpFile].end(), image.begin());
  std::copy(files[kTablesFile].begin(), files[kTablesFile].end(), image.begin() + tables_offset_in_image());
  return image;
}

}  // namespace bt86
