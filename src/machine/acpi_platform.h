// ACPI for the machine, as one unit: the PIIX4 power-management function (00:01.3, SCI on IRQ 9),
// QEMU's pvpanic device (port 0x505) and the ACPI tables describing them (acpi_tables.h).
//
// attach() plugs the devices in and publishes the tables on fw_cfg for SeaBIOS (with the
// "etc/table-loader" script; SeaBIOS then moves its PM base to 0x600 and programs PMBA itself).
// A boot without firmware (-kernel) instead calls enable_as_firmware_would() after each reset and
// hands tables_image_at() to the Linux loader, which writes it into guest RAM.
//
// The guest ends the run through the callbacks: on_power_off (SLP_EN with the \_S5 sleep type)
// and on_panic (a pvpanic "panicked" event).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>
#include "devices/fw_cfg.h"
#include "devices/io_bus.h"
#include "devices/pci.h"
#include "devices/piix4_pm.h"
#include "devices/pvpanic.h"
#include "machine/acpi_tables.h"

namespace bt86 {

class AcpiPlatform {
 public:
  static constexpr uint8_t kPmDevice = 1, kPmFunction = 3;  // 00:01.3, as on QEMU's pc

  AcpiPlatform(VirtualClock& clock, const AcpiConfig& config);
  AcpiPlatform(const AcpiPlatform&) = delete;
  AcpiPlatform& operator=(const AcpiPlatform&) = delete;

  void attach(PciBus& pci, IoBus& io, FwCfg& fw_cfg, IrqSink* irqs);
  std::vector<Device*> devices() { return {&pm_, &pvpanic_}; }

  // -kernel: the PM function as SeaBIOS leaves it, and the linked tables (RSDP at `base`).
  void enable_as_firmware_would() { pm_.enable_as_firmware_would(); }
  std::vector<uint8_t> tables_image_at(uint32_t base) const { return tables_.image_at(base); }

  Piix4Pm& pm() { return pm_; }
  const AcpiTables& tables() const { return tables_; }

  std::function<void()> on_power_off;
  std::function<void()> on_panic;

 private:
  AcpiTables tables_;
  Piix4Pm pm_;
  Pvpanic pvpanic_;
};

}  // namespace bt86
