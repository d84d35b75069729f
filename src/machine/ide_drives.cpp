// IDE drive construction from MachineOptions (see ide_drives.h).
#include "machine/ide_drives.h"

#include <memory>
#include <stdexcept>

#include "devices/ata_disk.h"
#include "devices/atapi_cdrom.h"

namespace bt86 {

void attach_ide_drives(IdeController& ide, const MachineOptions& options) {
  static const char* const kDiskOptions[] = {"-hda", "-hdb", "-hdc", "-hdd"};
  constexpr unsigned kCdromSlot = 2;  // secondary master
  if (!options.cdrom.empty() && !options.hd[kCdromSlot].empty())
    throw std::runtime_error("-hdc and -cdrom both want the secondary master IDE position");
  const DiskImage::Mode disk_mode = options.snapshot ? DiskImage::Mode::Snapshot : DiskImage::Mode::ReadWrite;
  for (unsigned slot = 0; slot < options.hd.size(); ++slot) {
    if (options.hd[slot].empty()) continue;
    auto image = std::make_unique<DiskImage>(options.hd[slot], disk_mode, kDiskOptions[slot]);
    ide.attach_drive(slot / 2, slot % 2, std::make_unique<AtaDisk>(std::move(image)));
  }
  if (!options.cdrom.empty()) {
    auto image = std::make_unique<DiskImage>(options.cdrom, DiskImage::Mode::ReadOnly, "-cdrom");
    ide.attach_drive(kCdromSlot / 2, kCdromSlot % 2, std::make_unique<AtapiCdrom>(std::move(image)));
  }
}

}  // namespace bt86
