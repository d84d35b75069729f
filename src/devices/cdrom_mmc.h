// The SCSI/MMC command set of a read-only CD/DVD-ROM drive holding one data disc (an ISO image,
// 2048-byte sectors, one session with one data track), independent of the transport: ATAPI
// (atapi_cdrom.h) hands in 12-byte command blocks and gets data or a CHECK CONDITION back.
//
// Commands: TEST UNIT READY, REQUEST SENSE, INQUIRY, READ CAPACITY, READ(10), READ(12),
// MODE SENSE(6/10) (pages 01h error recovery, 2Ah capabilities, 3Fh all), START STOP UNIT,
// PREVENT ALLOW MEDIUM REMOVAL, READ TOC (formats 0 and 1, LBA and MSF), GET CONFIGURATION
// (profile list with DVD-ROM/CD-ROM by disc size, core feature), GET EVENT STATUS NOTIFICATION
// (polled, media class), READ DISC INFORMATION, MECHANISM STATUS, SET CD SPEED. Anything else
// gets ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE (logged once per opcode).
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <vector>
#include "devices/disk_image.h"

namespace bt86 {

namespace scsi {
constexpr uint8_t kNoSense = 0x0, kNotReady = 0x2, kMediumError = 0x3, kIllegalRequest = 0x5;
// Additional sense codes.
constexpr uint8_t kAscUnrecoveredRead = 0x11, kAscInvalidOpcode = 0x20, kAscLbaOutOfRange = 0x21,
                  kAscInvalidField = 0x24, kAscSavingNotSupported = 0x39;
}  // namespace scsi

class CdromMmc {
 public:
  static constexpr uint32_t kSectorSize = 2048;
  static constexpr uint64_t kCdMaxSectors = 409600;  // 800 MiB: larger discs report DVD-ROM
  // Longest READ staged in memory at once (64 MiB; hosts ask for at most a few hundred KiB).
  // Longer ones are refused with INVALID FIELD IN CDB.
  static constexpr uint32_t kMaxReadSectors = 32768;

  using Cdb = std::array<uint8_t, 12>;
  struct Result {
    uint8_t sense_key = scsi::kNoSense, asc = 0, ascq = 0;
    std::vector<uint8_t> data;  // data-in phase (already cut to the allocation length)
    bool good() const { return sense_key == scsi::kNoSense; }
  };

  explicit CdromMmc(std::unique_ptr<DiskImage> image);
  Result execute(const Cdb& cdb);
  uint32_t sectors() const { return sectors_; }
  bool is_dvd() const { return sectors_ > kCdMaxSectors; }
  bool locked() const { return locked_; }

 private:
  Result request_sense(const Cdb& cdb);
  Result inquiry(const Cdb& cdb);
  Result read_capacity(const Cdb& cdb);
  Result read(uint32_t lba, uint32_t count);
  Result mode_sense(const Cdb& cdb);
  Result read_toc(const Cdb& cdb);
  Result get_configuration(const Cdb& cdb);
  Result get_event_status(const Cdb& cdb);
  Result read_disc_information(const Cdb& cdb);
  Result mechanism_status(const Cdb& cdb);
  std::vector<uint8_t> mode_page(uint8_t page, bool changeable) const;

  std::unique_ptr<DiskImage> image_;
  uint32_t sectors_;
  bool locked_ = false;       // PREVENT ALLOW MEDIUM REMOVAL
  Result last_error_;         // what REQUEST SENSE reports
  std::array<bool, 256> warned_{};
};

}  // namespace bt86
