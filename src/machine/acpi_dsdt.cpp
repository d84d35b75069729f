// The DSDT (see acpi_tables.h), written with the AML encoder (aml.h) in the shape of its ASL:
//
//   Name (\_S5, Package () {0, 0, 0, 0})          // SLP_TYP for S5 = Piix4Pm::kSlpTypSoftOff
//   Scope (\_SB) {
//     Device (PCI0) {                              // i440FX host bridge, PCI bus 0
//       _HID PNP0A03, _ADR 0, _UID 0, _BBN 0
//       _CRS: bus 0-0xFF; I/O 0xCF8-0xCFF (config ports), windows 0-0xCF7 and 0xD00-0xFFFF;
//             memory 0xA0000-0xBFFFF (VGA) and RAM top - 0xFEBFFFFF (32-bit PCI window)
//       Device (ISA) {                             // PIIX3 ISA bridge, 00:01.0
//         KBD  PNP0303 (0x60, 0x64, IRQ1)   MOU PNP0F13 (IRQ12)
//         COM1 PNP0501 (0x3F8, IRQ4)        COM2 PNP0501 (0x2F8, IRQ3)  -- when present
//         RTC  PNP0B00 (0x70-0x71, IRQ8)    PEVT QEMU0001 (pvpanic, 0x505)
//       }
//     }
//   }
// Every device has _STA = 0x0F (present, enabled, shown, functioning) as a Name, which both
// Linux and SeaBIOS's DSDT scanner evaluate. There is no PCI interrupt routing (_PRT, link
// devices): no emulated PCI device uses INTx yet.
#include "devices/piix4_pm.h"
#include "devices/pvpanic.h"
#include "machine/acpi_tables.h"
#include "machine/aml.h"

namespace bt86 {

namespace {

using namespace aml;

constexpr uint32_t kStaPresentEnabled = 0x0F;
constexpr uint32_t kPciWindowEnd = 0xFEBFFFFF;  // below the I/O APIC / BIOS area, as QEMU's pc
constexpr uint32_t kIsaBridgeAdr = 0x00010000;  // device 1, function 0

// An ISA device with a fixed identity and resources.
Bytes isa_device(std::string_view path, const Bytes& hid, const std::vector<Bytes>& crs,
                 std::vector<Bytes> extra = {}) {
  std::vector<Bytes> terms{name("_HID", hid)};
  for (Bytes& e : extra) terms.push_back(std::move(e));
  terms.push_back(name("_STA", integer(kStaPresentEnabled)));
  terms.push_back(name("_CRS", resources(crs)));
  return device(path, terms);
}

Bytes serial_port(std::string_view path, uint32_t uid, uint16_t base, unsigned line) {
  return isa_device(path, eisa_id("PNP0501"), {io(base, 8), irq(line)}, {name("_UID", integer(uid))});
}

Bytes isa_bridge(const AcpiConfig& config) {
  std::vector<Bytes> terms{
      name("_ADR", integer(kIsaBridgeAdr)),
      isa_device("KBD", eisa_id("PNP0303"), {io(0x60, 1), io(0x64, 1), irq(1)}),
      isa_device("MOU", eisa_id("PNP0F13"), {irq(12)}),
      isa_device("RTC", eisa_id("PNP0B00"), {io(0x70, 2), irq(8)}),
      isa_device("PEVT", string("QEMU0001"), {io(Pvpanic::kPort, 1)}),
  };
  if (config.com_present[0]) terms.push_back(serial_port("COM1", 1, 0x3F8, 4));
  if (config.com_present[1]) terms.push_back(serial_port("COM2", 2, 0x2F8, 3));
  return device("ISA", terms);
}

Bytes pci_root(const AcpiConfig& config) {
  const uint32_t window_start = uint32_t(config.ram_bytes);
  return device("PCI0", {
      name("_HID", eisa_id("PNP0A03")),
      name("_ADR", integer(0)),
      name("_UID", integer(0)),
      name("_BBN", integer(0)),
      name("_CRS", resources({
          word_bus_numbers(0x00, 0xFF),
          io(0x0CF8, 8),
          word_io(0x0000, 0x0CF7),
          word_io(0x0D00, 0xFFFF),
          dword_memory(0x000A0000, 0x000BFFFF, Cache::Cacheable),
          dword_memory(window_start, kPciWindowEnd, Cache::NonCacheable),
      })),
      isa_bridge(config),
  });
}

}  // namespace

std::vector<uint8_t> build_dsdt_aml(const AcpiConfig& config) {
  const Bytes s5 = integer(Piix4Pm::kSlpTypSoftOff);
  Bytes out = name("\\_S5", package({s5, s5, integer(0), integer(0)}));
  const Bytes sb = scope("\\_SB", {pci_root(config)});
  out.insert(out.end(), sb.begin(), sb.end());
  return out;
}

}  // namespace bt86
