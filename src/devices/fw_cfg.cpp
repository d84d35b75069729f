// fw_cfg item store and byte-stream port interface (see fw_cfg.h).
#include "devices/fw_cfg.h"

#include <stdexcept>

namespace bt86 {

namespace {

constexpr uint32_t kE820Ram = 1;
constexpr uint32_t kIdTraditional = 1;
constexpr uint32_t kNoRebootTimeout = 0xFFFFFFFFu;

template <class T> void put_le(std::vector<uint8_t>& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(uint8_t(uint64_t(v) >> (8 * i)));
}
template <class T> void put_be(std::vector<uint8_t>& out, T v) {
  for (size_t i = sizeof(T); i-- > 0;) out.push_back(uint8_t(uint64_t(v) >> (8 * i)));
}
template <class T> std::vector<uint8_t> le(T v) {
  std::vector<uint8_t> out;
  put_le(out, v);
  return out;
}
std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

// OpenFirmware device path SeaBIOS matches for a -boot letter (QEMU's drive placement).
const char* boot_device_path(char letter) {
  switch (letter) {
    case 'a': return "/isa/fdc@03f0/floppy@0";
    case 'c': return "/pci@i0cf8/ide@1,1/drive@0/disk@0";
    case 'd': return "/pci@i0cf8/ide@1,1/drive@1/disk@0";
    default: return nullptr;
  }
}

std::vector<uint8_t> bootorder_file(const std::string& letters) {
  std::string text;
  for (char c : letters) text += std::string(boot_device_path(c)) + "\n";
  std::vector<uint8_t> out = bytes(text);
  out.push_back(0);
  return out;
}

std::vector<uint8_t> e820_file(uint64_t ram_bytes) {
  std::vector<uint8_t> out;
  put_le<uint64_t>(out, 0);
  put_le<uint64_t>(out, ram_bytes);
  put_le<uint32_t>(out, kE820Ram);
  return out;
}

}  // namespace

bool FwCfg::valid_boot_order(const std::string& letters) {
  if (letters.empty()) return false;
  for (char c : letters)
    if (!boot_device_path(c)) return false;
  return true;
}

FwCfg::FwCfg(const FwCfgConfig& config) {
  using namespace fw_cfg_key;
  if (!valid_boot_order(config.boot_order))
    throw std::invalid_argument("fw_cfg: boot order '" + config.boot_order + "' (letters a, c, d)");
  set_item(kSignature, bytes("QEMU"));
  set_item(kId, le<uint32_t>(kIdTraditional));
  set_item(kUuid, std::vector<uint8_t>(16, 0));
  set_item(kRamSize, le<uint64_t>(config.ram_bytes));
  set_item(kNoGraphic, le<uint16_t>(config.nographic));
  set_item(kNbCpus, le<uint16_t>(1));
  set_item(kMaxCpus, le<uint16_t>(1));
  set_item(kBootDevice, le<uint16_t>(uint8_t(config.boot_order[0])));
  set_item(kBootMenu, le<uint16_t>(0));
  set_item(kIrq0Override, le<uint32_t>(1));
  add_file("etc/e820", e820_file(config.ram_bytes));
  add_file("etc/boot-cpus", le<uint16_t>(1));
  add_file("etc/boot-fail-wait", le<uint32_t>(kNoRebootTimeout));
  add_file("bootorder", bootorder_file(config.boot_order));
}

void FwCfg::set_item(uint16_t key, std::vector<uint8_t> data) { items_[key] = std::move(data); }

const std::vector<uint8_t>* FwCfg::item(uint16_t key) const {
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : &it->second;
}

void FwCfg::add_file(const std::string& name, std::vector<uint8_t> data) {
  if (name.empty() || name.size() >= kMaxFileName)
    throw std::invalid_argument("fw_cfg: file name '" + name + "' (1 to 55 characters)");
  files_[name] = std::move(data);
  rebuild_file_dir();
}

// Files get consecutive keys from kFileFirst in name order; the directory lists them.
void FwCfg::rebuild_file_dir() {
  std::vector<uint8_t> dir;
  put_be<uint32_t>(dir, uint32_t(files_.size()));
  uint16_t key = fw_cfg_key::kFileFirst;
  for (auto& [name, data] : files_) {
    items_[key] = data;
    put_be<uint32_t>(dir, uint32_t(data.size()));
    put_be<uint16_t>(dir, key);
    put_be<uint16_t>(dir, 0);
    std::string padded = name;
    padded.resize(kMaxFileName, '\0');
    dir.insert(dir.end(), padded.begin(), padded.end());
    ++key;
  }
  items_[fw_cfg_key::kFileDir] = std::move(dir);
}

void FwCfg::set_linux_boot(const LinuxBoot& b) {
  using namespace fw_cfg_key;
  set_item(kSetupAddr, le<uint32_t>(b.setup_addr));
  set_item(kSetupSize, le<uint32_t>(uint32_t(b.setup.size())));
  set_item(kSetupData, b.setup);
  set_item(kKernelAddr, le<uint32_t>(b.kernel_addr));
  set_item(kKernelSize, le<uint32_t>(uint32_t(b.kernel.size())));
  set_item(kKernelData, b.kernel);
  set_item(kKernelEntry, le<uint32_t>(b.kernel_entry));
  set_item(kInitrdAddr, le<uint32_t>(b.initrd_addr));
  set_item(kInitrdSize, le<uint32_t>(uint32_t(b.initrd.size())));
  set_item(kInitrdData, b.initrd);
  std::vector<uint8_t> cmdline = bytes(b.cmdline);
  cmdline.push_back(0);  // QEMU counts the NUL in the size
  set_item(kKernelCmdline, le<uint32_t>(b.cmdline_addr));
  set_item(kCmdlineAddr, le<uint32_t>(b.cmdline_addr));
  set_item(kCmdlineSize, le<uint32_t>(uint32_t(cmdline.size())));
  set_item(kCmdlineData, std::move(cmdline));
}

void FwCfg::reset() {
  selected_ = 0;
  offset_ = 0;
}

uint32_t FwCfg::io_read(uint16_t port, unsigned size) {
  if (port != kDataPort) return 0;  // the selector is write-only
  // Wider reads return consecutive item bytes, first byte lowest.
  const std::vector<uint8_t>* data = item(selected_);
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i, ++offset_)
    if (data && offset_ < data->size()) v |= uint32_t((*data)[offset_]) << (8 * i);
  return v;
}

void FwCfg::io_write(uint16_t port, uint32_t value, unsigned size) {
  if (port != kSelectorPort) return;  // data writes are ignored, as in QEMU since 2.4
  selected_ = uint16_t(value);
  offset_ = 0;
}

}  // namespace bt86
