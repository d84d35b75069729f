// ACPI tables: the AML encoder's encodings; the fw_cfg loader script run by an independent
// executor written from SeaBIOS's romfile_loader semantics into a fake guest memory, which must
// give a valid RSDP -> RSDT -> FADT -> FACS/DSDT chain with correct checksums; the FADT's fields;
// the DSDT walked as AML (PkgLengths nest exactly; devices, _HID, _CRS, \_S5); the same tables
// linked for the -kernel path; and the platform's fw_cfg files and Linux loader delivery.
#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "devices/fw_cfg.h"
#include "devices/piix4_pm.h"
#include "machine/acpi_platform.h"
#include "machine/acpi_tables.h"
#include "machine/aml.h"
#include "machine/linux_loader.h"

using namespace bt86;
using Bytes = std::vector<uint8_t>;

namespace {

uint32_t le(const uint8_t* p, unsigned n) {
  uint32_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint32_t(p[i]) << (8 * i);
  return v;
}

uint8_t sum(const uint8_t* p, size_t n) {
  uint8_t s = 0;
  for (size_t i = 0; i < n; ++i) s = uint8_t(s + p[i]);
  return s;
}

// Guest memory for the checks: 16 MiB, "FSEG" at 0xF0000, "HIGH" allocations below 16 MiB.
struct FakeMemory {
  Bytes ram = Bytes(16 << 20, 0);
  uint32_t fseg_next = 0xF0000, high_top = 16 << 20;
  const uint8_t* at(uint32_t addr) const { return ram.data() + addr; }
};

// SeaBIOS's romfile_loader_execute(), written from its documented semantics.
std::map<std::string, uint32_t> run_loader_script(const Bytes& script,
                                                  const std::map<std::string, Bytes>& files, FakeMemory& mem) {
  std::map<std::string, uint32_t> placed;
  REQUIRE(script.size() % 128 == 0);
  auto name_at = [&](size_t off) {
    REQUIRE(script[off + 55] == 0);  // NUL-terminated within 56 bytes
    return std::string(reinterpret_cast<const char*>(&script[off]));
  };
  for (size_t off = 0; off < script.size(); off += 128) {
    const uint8_t* e = &script[off];
    switch (le(e, 4)) {
      case 1: {  // ALLOCATE
        const std::string file = name_at(off + 4);
        const uint32_t align = le(e + 60, 4);
        const uint8_t zone = e[64];
        REQUIRE(files.count(file));
        REQUIRE(align != 0);
        REQUIRE((align & (align - 1)) == 0);
        REQUIRE(!placed.count(file));
        const Bytes& data = files.at(file);
        uint32_t addr;
        if (zone == 2) {
          addr = (mem.fseg_next + align - 1) & ~(align - 1);
          mem.fseg_next = addr + uint32_t(data.size());
          REQUIRE(mem.fseg_next <= 0x100000);
        } else {
          REQUIRE(zone == 1);
          addr = (mem.high_top - uint32_t(data.size())) & ~(align - 1);
          mem.high_top = addr;
        }
        std::memcpy(mem.ram.data() + addr, data.data(), data.size());
        placed[file] = addr;
        break;
      }
      case 2: {  // ADD_POINTER
        const std::string dest = name_at(off + 4), src = name_at(off + 60);
        const uint32_t offset = le(e + 116, 4);
        const uint8_t size = e[120];
        REQUIRE(placed.count(dest));
        REQUIRE(placed.count(src));
        REQUIRE((size == 1 || size == 2 || size == 4 || size == 8));
        REQUIRE(offset + size <= files.at(dest).size());
        uint8_t* p = mem.ram.data() + placed[dest] + offset;
        uint64_t v = 0;
        std::memcpy(&v, p, size);
        v += placed[src];
        std::memcpy(p, &v, size);
        break;
      }
      case 3: {  // ADD_CHECKSUM
        const std::string file = name_at(off + 4);
        const uint32_t offset = le(e + 60, 4), start = le(e + 64, 4), length = le(e + 68, 4);
        REQUIRE(placed.count(file));
        REQUIRE(offset < files.at(file).size());
        REQUIRE(start + length <= files.at(file).size());
        uint8_t* base = mem.ram.data() + placed[file];
        base[offset] = uint8_t(base[offset] - sum(base + start, length));
        break;
      }
      default:
        FAIL("unknown loader command ", le(e, 4));
    }
  }
  return placed;
}

// Follows RSDP -> RSDT -> FADT -> FACS/DSDT in `mem` (addresses relative to mem_base) and checks
// signatures, lengths and checksums. Returns the FADT and DSDT addresses.
struct Chain { uint32_t fadt = 0, dsdt = 0, facs = 0; };
Chain check_table_chain(const uint8_t* mem, uint32_t mem_base, uint32_t rsdp) {
  auto p = [&](uint32_t addr) { return mem + (addr - mem_base); };
  auto check_table = [&](uint32_t addr, const char* sig) {
    REQUIRE(std::memcmp(p(addr), sig, 4) == 0);
    CHECK(sum(p(addr), le(p(addr) + 4, 4)) == 0);
  };
  REQUIRE(std::memcmp(p(rsdp), "RSD PTR ", 8) == 0);
  CHECK(rsdp % 16 == 0);
  CHECK(sum(p(rsdp), 20) == 0);
  CHECK(p(rsdp)[15] == 0);
  const uint32_t rsdt = le(p(rsdp) + 16, 4);
  check_table(rsdt, "RSDT");
  REQUIRE(le(p(rsdt) + 4, 4) == 40);  // exactly one entry: the FADT (no MADT)
  Chain c;
  c.fadt = le(p(rsdt) + 36, 4);
  check_table(c.fadt, "FACP");
  CHECK(le(p(c.fadt) + 4, 4) == fadt::kLength);
  c.facs = le(p(c.fadt) + fadt::kFirmwareCtrl, 4);
  c.dsdt = le(p(c.fadt) + fadt::kDsdt, 4);
  REQUIRE(std::memcmp(p(c.facs), "FACS", 4) == 0);
  CHECK(le(p(c.facs) + 4, 4) == 64);
  CHECK(c.facs % 64 == 0);
  check_table(c.dsdt, "DSDT");
  return c;
}

// A walker over the DSDT's AML: the object kinds build_dsdt_aml emits. Records every device
// (by full path) with its _HID and _CRS, and every other named value.
struct AmlWalker {
  struct Device { std::string hid; Bytes crs; };
  std::map<std::string, Device> devices;
  std::map<std::string, Bytes> names;  // path -> encoded value

  static size_t pkg_length(const uint8_t* p, size_t& len) {
    const unsigned extra = p[0] >> 6;
    if (extra == 0) { len = p[0] & 0x3F; return 1; }
    len = p[0] & 0x0F;
    for (unsigned i = 0; i < extra; ++i) len |= size_t(p[1 + i]) << (4 + 8 * i);
    return 1 + extra;
  }
  static size_t name_string(const uint8_t* p, std::string& out) {
    size_t i = 0;
    out.clear();
    if (p[0] == '\\') { out.push_back('\\'); ++i; }
    unsigned segs = 1;
    if (p[i] == 0x2E) { segs = 2; ++i; } else if (p[i] == 0x2F) { segs = p[i + 1]; i += 2; }
    for (unsigned s = 0; s < segs; ++s, i += 4) {
      if (s) out += '.';
      out.append(reinterpret_cast<const char*>(p + i), 4);
    }
    return i;
  }
  static std::string join(const std::string& scope, const std::string& name) {
    if (!name.empty() && name[0] == '\\') return name;
    return scope.empty() ? "\\" + name : scope + "." + name;
  }
  // Length of one data object (integer, string, package, buffer).
  static size_t data_object(const uint8_t* p) {
    size_t len;
    switch (p[0]) {
      case 0x00: case 0x01: return 1;
      case 0x0A: return 2;
      case 0x0B: return 3;
      case 0x0C: return 5;
      case 0x0D: return 2 + std::strlen(reinterpret_cast<const char*>(p + 1));
      case 0x11: case 0x12: pkg_length(p + 1, len); return 1 + len;
    }
    FAIL("unexpected data object opcode ", int(p[0]));
    return 1;
  }
  void term_list(const uint8_t* p, size_t n, const std::string& scope, Device* dev) {
    size_t i = 0;
    while (i < n) {
      std::string name;
      if (p[i] == 0x08) {  // Name
        i += 1 + name_string(p + i + 1, name);
        const size_t vlen = data_object(p + i);
        const Bytes value(p + i, p + i + vlen);
        names[join(scope, name)] = value;
        if (dev && name == "_HID") dev->hid = hid_text(value);
        if (dev && name == "_CRS") dev->crs = buffer_data(value);
        i += vlen;
      } else if (p[i] == 0x10 || (p[i] == 0x5B && p[i + 1] == 0x82)) {  // Scope, Device
        const bool is_device = p[i] == 0x5B;
        const size_t op = is_device ? 2 : 1;
        size_t len;
        const size_t pl = pkg_length(p + i + op, len);
        REQUIRE(i + op + len <= n);  // the package ends inside its parent
        const size_t nl = name_string(p + i + op + pl, name);
        const std::string path = join(scope, name);
        Device* inner = is_device ? &devices[path] : nullptr;
        term_list(p + i + op + pl + nl, len - pl - nl, path, inner);
        i += op + len;
      } else {
        FAIL("unexpected opcode ", int(p[i]), " at ", i);
      }
    }
    CHECK(i == n);  // the term list ends exactly at its package's end
  }
  static std::string hid_text(const Bytes& v) {
    if (v[0] == 0x0D) return std::string(reinterpret_cast<const char*>(&v[1]));
    REQUIRE(v[0] == 0x0C);
    const unsigned letters = unsigned(v[1]) << 8 | v[2];
    std::string s{char('@' + (letters >> 10 & 31)), char('@' + (letters >> 5 & 31)), char('@' + (letters & 31))};
    const char* hex = "0123456789ABCDEF";
    for (int b : {3, 4}) s += {hex[v[b] >> 4], hex[v[b] & 15]};
    return s;
  }
  static Bytes buffer_data(const Bytes& v) {
    REQUIRE(v[0] == 0x11);
    size_t len;
    const size_t pl = pkg_length(&v[1], len);
    const size_t sz = data_object(&v[1 + pl]);
    return Bytes(v.begin() + ptrdiff_t(1 + pl + sz), v.end());
  }
};

AmlWalker walk_dsdt(const uint8_t* dsdt) {
  AmlWalker w;
  const uint32_t length = le(dsdt + 4, 4);
  w.term_list(dsdt + 36, length - 36, "", nullptr);
  return w;
}

// Finds a descriptor with the given first byte (and, for address spaces, resource type) in a
// _CRS template; returns its offset or -1.
int find_descriptor(const Bytes& crs, uint8_t tag, int space = -1, int nth = 0) {
  for (size_t i = 0; i < crs.size();) {
    const bool large = crs[i] & 0x80;
    const size_t len = large ? 3 + le(&crs[i + 1], 2) : 1 + (crs[i] & 7);
    if (crs[i] == tag && (space < 0 || crs[i + 3] == space) && nth-- == 0) return int(i);
    if (crs[i] == 0x79) break;
    i += len;
  }
  return -1;
}

}  // namespace

TEST_CASE("AML encoder: integers, strings, EISA IDs, name strings, PkgLength") {
  CHECK(aml::integer(0) == Bytes{0x00});
  CHECK(aml::integer(1) == Bytes{0x01});
  CHECK(aml::integer(0x0F) == Bytes{0x0A, 0x0F});
  CHECK(aml::integer(0x1234) == Bytes{0x0B, 0x34, 0x12});
  CHECK(aml::integer(0x00010000) == Bytes{0x0C, 0x00, 0x00, 0x01, 0x00});
  CHECK(aml::string("QEMU0001") == Bytes{0x0D, 'Q', 'E', 'M', 'U', '0', '0', '0', '1', 0});
  CHECK(aml::eisa_id("PNP0303") == Bytes{0x0C, 0x41, 0xD0, 0x03, 0x03});  // as SeaBIOS matches it
  CHECK(aml::eisa_id("PNP0A03") == Bytes{0x0C, 0x41, 0xD0, 0x0A, 0x03});
  CHECK(aml::name_string("\\_SB") == Bytes{'\\', '_', 'S', 'B', '_'});
  CHECK(aml::name_string("ISA") == Bytes{'I', 'S', 'A', '_'});
  CHECK(aml::name_string("PCI0.ISA") == Bytes{0x2E, 'P', 'C', 'I', '0', 'I', 'S', 'A', '_'});
  CHECK(aml::pkg_length(0x3E) == Bytes{0x3F});
  CHECK(aml::pkg_length(0x3F) == Bytes{0x41, 0x04});          // 0x41 total, two bytes
  CHECK(aml::pkg_length(0x1000) == Bytes{0x83, 0x00, 0x01});  // 0x1003 total: three bytes
  CHECK_THROWS(aml::eisa_id("pnp0303"));
  CHECK_THROWS(aml::name_string("TOOLONG"));
  CHECK_THROWS(aml::irq(16));
}

TEST_CASE("AML encoder: resource descriptors as ACPI defines them") {
  CHECK(aml::io(0x60, 1) == Bytes{0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01});
  CHECK(aml::irq(12) == Bytes{0x22, 0x00, 0x10});
  const Bytes bus = aml::word_bus_numbers(0, 0xFF);
  CHECK(bus == Bytes{0x88, 0x0D, 0x00, 0x02, 0x0C, 0x00, 0, 0, 0, 0, 0xFF, 0, 0, 0, 0x00, 0x01});
  const Bytes mem = aml::dword_memory(0xA0000, 0xBFFFF, aml::Cache::Cacheable);
  REQUIRE(mem.size() == 26);
  CHECK(mem[0] == 0x87);
  CHECK(le(&mem[1], 2) == 23);
  CHECK(mem[5] == 0x03);  // ReadWrite, Cacheable
  CHECK(le(&mem[10], 4) == 0xA0000);
  CHECK(le(&mem[14], 4) == 0xBFFFF);
  CHECK(le(&mem[22], 4) == 0x20000);
  const Bytes buf = aml::resources({aml::irq(1)});
  CHECK(buf == Bytes{0x11, 0x08, 0x0A, 0x05, 0x22, 0x02, 0x00, 0x79, 0x00});
}

TEST_CASE("ACPI tables: the loader script, run as SeaBIOS runs it, installs a valid table chain") {
  const AcpiTables t = build_acpi_tables(AcpiConfig{});
  const Bytes script = t.linker.script();
  REQUIRE(script.size() % AcpiLinker::kCommandSize == 0);
  CHECK(le(&script[0], 4) == AcpiLinker::kAllocate);  // the first command allocates
  FakeMemory mem;
  const auto placed = run_loader_script(
      script, {{AcpiTables::kRsdpFile, t.rsdp}, {AcpiTables::kTablesFile, t.tables}}, mem);
  REQUIRE(placed.count(AcpiTables::kRsdpFile));
  const uint32_t rsdp = placed.at(AcpiTables::kRsdpFile);
  CHECK(rsdp >= 0xE0000);  // FSEG, where SeaBIOS and Linux look for it
  const Chain c = check_table_chain(mem.ram.data(), 0, rsdp);
  CHECK(c.facs == placed.at(AcpiTables::kTablesFile) + t.facs);
  CHECK(c.dsdt == placed.at(AcpiTables::kTablesFile) + t.dsdt);
  // The unlinked files hold offsets and zero checksums: only the script makes them valid.
  CHECK(le(&t.rsdp[16], 4) == t.rsdt);
  CHECK(t.tables[t.fadt + 9] == 0);
}

TEST_CASE("ACPI tables: FADT fields describe the PIIX4 PM block, SCI 9, reset register, boot flags") {
  const AcpiTables t = build_acpi_tables(AcpiConfig{});
  const uint8_t* f = &t.tables[t.fadt];
  CHECK(f[8] == 3);
  CHECK(le(f + fadt::kSciInt, 2) == 9);
  CHECK(le(f + fadt::kSmiCmd, 4) == 0);
  CHECK(le(f + fadt::kPm1aEvtBlk, 4) == 0x600);
  CHECK(le(f + fadt::kPm1aCntBlk, 4) == 0x604);
  CHECK(le(f + fadt::kPmTmrBlk, 4) == 0x608);
  CHECK(le(f + fadt::kGpe0Blk, 4) == 0x60C);
  CHECK(f[fadt::kPm1EvtLen] == 4);
  CHECK(f[fadt::kPm1CntLen] == 2);
  CHECK(f[fadt::kPmTmrLen] == 4);
  CHECK(f[fadt::kGpe0BlkLen] == 4);
  CHECK(f[fadt::kCentury] == 0x32);
  CHECK(le(f + fadt::kIapcBootArch, 2) == 0x0003);  // legacy devices + 8042
  const uint32_t flags = le(f + fadt::kFlags, 4);
  CHECK((flags & fadt::kFlagResetRegSup) != 0);
  CHECK((flags & fadt::kFlagWbinvd) != 0);
  CHECK((flags & (1u << 4)) == 0);   // the power button is a fixed feature (PWRBTN_STS)
  CHECK((flags & (1u << 8)) == 0);   // 24-bit PM timer
  CHECK(f[fadt::kResetReg] == 1);    // system I/O
  CHECK(f[fadt::kResetReg + 1] == 8);
  CHECK(f[fadt::kResetReg + 2] == 0);
  CHECK(le(f + fadt::kResetReg + 4, 4) == 0xCF9);
  CHECK(le(f + fadt::kResetReg + 8, 4) == 0);
  CHECK(f[fadt::kResetValue] == 0x06);
}

TEST_CASE("ACPI tables: the DSDT parses, nests exactly and describes the machine's devices") {
  AcpiConfig config;
  config.ram_bytes = 256u << 20;
  config.com_present[1] = true;
  const AcpiTables t = build_acpi_tables(config);
  const uint32_t base = 0x9F000;
  const Bytes image = t.image_at(base);
  const Chain c = check_table_chain(image.data(), base, base);
  const AmlWalker w = walk_dsdt(image.data() + (c.dsdt - base));

  REQUIRE(w.names.count("\\_S5_"));
  const Bytes& s5 = w.names.at("\\_S5_");
  REQUIRE(s5[0] == 0x12);
  CHECK(s5[3] == Piix4Pm::kSlpTypSoftOff);  // Package {SLP_TYPa, ...}: ZeroOp
  CHECK(s5[2] == 4);

  std::map<std::string, std::string> hids;
  for (const auto& [path, dev] : w.devices) hids[path] = dev.hid;
  CHECK(hids == std::map<std::string, std::string>{
                    {"\\_SB_.PCI0", "PNP0A03"},
                    {"\\_SB_.PCI0.ISA_", ""},
                    {"\\_SB_.PCI0.ISA_.KBD_", "PNP0303"},
                    {"\\_SB_.PCI0.ISA_.MOU_", "PNP0F13"},
                    {"\\_SB_.PCI0.ISA_.RTC_", "PNP0B00"},
                    {"\\_SB_.PCI0.ISA_.PEVT", "QEMU0001"},
                    {"\\_SB_.PCI0.ISA_.COM1", "PNP0501"},
                    {"\\_SB_.PCI0.ISA_.COM2", "PNP0501"}});
  CHECK(w.names.at("\\_SB_.PCI0.ISA_._ADR") == aml::integer(0x00010000));
  CHECK(w.names.at("\\_SB_.PCI0.ISA_.PEVT._STA") == aml::integer(0x0F));

  const Bytes& pci = w.devices.at("\\_SB_.PCI0").crs;
  const int hole = find_descriptor(pci, 0x87, 0, 1);  // the second DWordMemory window
  REQUIRE(hole >= 0);
  CHECK(le(&pci[hole + 10], 4) == 256u << 20);
  CHECK(le(&pci[hole + 14], 4) == 0xFEBFFFFFu);
  CHECK(find_descriptor(pci, 0x88, 2) >= 0);  // bus numbers
  const int io_low = find_descriptor(pci, 0x88, 1);
  REQUIRE(io_low >= 0);
  CHECK(le(&pci[io_low + 10], 2) == 0x0CF7);
  const Bytes& pevt = w.devices.at("\\_SB_.PCI0.ISA_.PEVT").crs;
  CHECK(pevt == Bytes{0x47, 0x01, 0x05, 0x05, 0x05, 0x05, 0x01, 0x01, 0x79, 0x00});
  const Bytes& com2 = w.devices.at("\\_SB_.PCI0.ISA_.COM2").crs;
  CHECK(le(&com2[2], 2) == 0x2F8);
  CHECK(com2[find_descriptor(com2, 0x22) + 1] == 1u << 3);  // IRQ3
}

TEST_CASE("ACPI tables: COM ports appear only when present") {
  AcpiConfig config;
  config.com_present[0] = false;
  const AcpiTables t = build_acpi_tables(config);
  const AmlWalker w = walk_dsdt(&t.tables[t.dsdt]);
  CHECK_FALSE(w.devices.count("\\_SB_.PCI0.ISA_.COM1"));
  CHECK_FALSE(w.devices.count("\\_SB_.PCI0.ISA_.COM2"));
}

TEST_CASE("ACPI platform: PM at 00:01.3, pvpanic, three fw_cfg files, callbacks") {
  IoBus io;
  PhysMem mem(1 << 20);
  PciBus pci(io, mem);
  VirtualClock clock;
  FwCfg fw_cfg(FwCfgConfig{});
  fw_cfg.attach(io);
  AcpiPlatform acpi(clock, AcpiConfig{});
  acpi.attach(pci, io, fw_cfg, nullptr);
  int offs = 0, panics = 0;
  acpi.on_power_off = [&] { ++offs; };
  acpi.on_panic = [&] { ++panics; };
  CHECK(pci.device(PciBus::devfn(1, 3)) == &acpi.pm());

  // The fw_cfg file directory lists the loader script and both table files.
  io.out(FwCfg::kSelectorPort, fw_cfg_key::kFileDir, 2);
  uint32_t count = 0;
  for (int i = 0; i < 4; ++i) count = count << 8 | io.in(FwCfg::kDataPort, 1);
  std::set<std::string> names;
  for (uint32_t n = 0; n < count; ++n) {
    char entry[64];
    for (char& ch : entry) ch = char(io.in(FwCfg::kDataPort, 1));
    names.insert(std::string(entry + 8));
  }
  CHECK(names.count("etc/table-loader"));
  CHECK(names.count("etc/acpi/rsdp"));
  CHECK(names.count("etc/acpi/tables"));

  acpi.enable_as_firmware_would();
  io.out(0x604, 0x2000, 2);
  CHECK(offs == 1);
  io.out(Pvpanic::kPort, 1, 1);
  CHECK(panics == 1);
}

TEST_CASE("Linux loader: ACPI tables go into the EBDA page, announced in boot_params and the BDA") {
  // A minimal bzImage: four setup sectors with a 2.15 header, and a few payload bytes.
  Bytes image(5 * 512 + 16, 0x90);
  auto put = [&](size_t off, uint32_t v, unsigned n) { for (unsigned i = 0; i < n; ++i) image[off + i] = uint8_t(v >> (8 * i)); };
  put(boot_hdr::kSetupSects, 4, 1);
  put(boot_hdr::kBootFlag, 0xAA55, 2);
  put(0x201, 0x66, 1);  // jump: the header ends at 0x268
  put(boot_hdr::kHeader, 0x53726448, 4);
  put(boot_hdr::kVersion, 0x020F, 2);
  put(boot_hdr::kLoadFlags, boot_hdr::kLoadedHigh, 1);
  put(boot_hdr::kCode32Start, 0x100000, 4);
  put(boot_hdr::kInitrdAddrMax, 0x37FFFFFF, 4);
  put(boot_hdr::kCmdlineSize, 2047, 4);
  LinuxLoader loader(image, {}, "console=ttyS0", 16 << 20);
  AcpiConfig config;
  config.ram_bytes = 16 << 20;
  const AcpiTables t = build_acpi_tables(config);
  loader.set_acpi_tables(t.image_at(linux_layout::kEbda));

  PhysMem mem(16 << 20);
  IoBus io;
  VirtualClock clock;
  Cpu cpu(mem, io, clock);
  cpu.reset();
  loader.load(mem, cpu);
  Bytes low(0xA0000);
  mem.copy_from(0, low.data(), low.size());
  CHECK(le(&low[linux_layout::kZeroPage + boot_hdr::kAcpiRsdpAddr], 4) == linux_layout::kEbda);
  CHECK(le(&low[linux_layout::kZeroPage + boot_hdr::kAcpiRsdpAddr + 4], 4) == 0);
  CHECK(le(&low[linux_layout::kBdaEbdaSegment], 2) == linux_layout::kEbda >> 4);
  check_table_chain(low.data(), 0, linux_layout::kEbda);

  CHECK_THROWS_AS(loader.set_acpi_tables(Bytes(linux_layout::kEbdaSize + 1)), std::length_error);
}
