// ACPI platform wiring (see acpi_platform.h).
#include "machine/acpi_platform.h"

namespace bt86 {

AcpiPlatform::AcpiPlatform(VirtualClock& clock, const AcpiConfig& config)
    : tables_(build_acpi_tables(config)), pm_(clock) {
  pm_.on_power_off = [this] { if (on_power_off) on_power_off(); };
  pvpanic_.on_panic = [this] { if (on_panic) on_panic(); };
}

void AcpiPlatform::attach(PciBus& pci, IoBus& io, FwCfg& fw_cfg, IrqSink* irqs) {
  pm_.connect_sci(irqs);
  pci.attach(PciBus::devfn(kPmDevice, kPmFunction), &pm_);
  pvpanic_.attach(io);
  fw_cfg.add_file(AcpiTables::kRsdpFile, tables_.rsdp);
  fw_cfg.add_file(AcpiTables::kTablesFile, tables_.tables);
  fw_cfg.add_file(AcpiTables::kLoaderFile, tables_.linker.script());
}

}  // namespace bt86
