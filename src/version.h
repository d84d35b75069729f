// bt86's version string, shared by the front end (-version, the monitor banner) and the devices
// that report a firmware revision (ATA/ATAPI IDENTIFY, SCSI INQUIRY). A header of its own so that
// src/devices/ depends on no front-end code.
#pragma once

namespace bt86 {

inline constexpr const char* kBt86Version = "0.1.0";

}  // namespace bt86
