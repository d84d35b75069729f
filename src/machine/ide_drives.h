// Builds the IDE drives that the options ask for: -hda/-hdb (primary master/slave) and
// -hdc/-hdd (secondary master/slave) as ATA disks on raw images, -cdrom as an ATAPI drive on the
// secondary master (as QEMU), all images in snapshot mode with -snapshot (CD images are always
// read-only). Throws std::runtime_error with a one-line message for a missing or unreadable
// image or for -hdc together with -cdrom.
#pragma once
#include "devices/ide_controller.h"
#include "machine/machine_options.h"

namespace bt86 {

void attach_ide_drives(IdeController& ide, const MachineOptions& options);

}  // namespace bt86
