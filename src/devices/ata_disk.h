// An ATA hard disk (ATA/ATAPI-6 subset) on a raw image: 512-byte sectors, LBA28/LBA48 and CHS
// addressing, PIO (single-sector and READ/WRITE MULTIPLE blocks) and DMA transfers, IDENTIFY
// DEVICE with geometry, capacities and supported features, and the housekeeping commands an OS
// and the BIOS issue (INITIALIZE DEVICE PARAMETERS, READ VERIFY, FLUSH CACHE, SEEK, ...).
// Interrupts follow the PIO protocols: one per DRQ block for reads, one per block after the
// first and at the end for writes, one at completion for DMA and non-data commands. The image
// must hold at least one sector (else std::runtime_error).
#pragma once
#include <array>
#include <memory>
#include "devices/disk_image.h"
#include "devices/ide_drive.h"

namespace bt86 {

class AtaDisk : public IdeDrive {
 public:
  static constexpr uint32_t kSectorSize = 512;
  static constexpr unsigned kMaxMultiple = 16;  // sectors per block in READ/WRITE MULTIPLE

  explicit AtaDisk(std::unique_ptr<DiskImage> image);
  bool is_atapi() const override { return false; }
  uint64_t sectors() const { return sectors_; }
  // The IDENTIFY DEVICE data (also what the command returns).
  std::array<uint16_t, 256> identify() const;

 protected:
  bool execute(uint8_t cmd) override;
  void pio_buffer_done() override;
  void dma_transfer(IdeDmaPort& port) override;
  uint16_t signature() const override { return 0x0000; }
  uint8_t status_after_reset() const override { return ata::kDrdy | ata::kDsc; }
  const char* kind() const override { return "disk"; }
  void restore_defaults() override;  // multiple mode off, default CHS translation

 private:
  enum class Op { Read, Write, Verify };
  enum class Xfer { Pio, Multiple, Dma, None };
  struct Geometry { uint32_t cylinders; uint32_t heads, sectors; };
  struct SectorCommand {  // a read/write/verify opcode and how it moves its data
    uint8_t opcode;
    Op op;
    Xfer xfer;
    bool lba48;
  };
  static const SectorCommand kSectorCommands[];

  // Starts a sector command with the address and count taken from the task file.
  void start(Op op, Xfer xfer, bool lba48);
  bool address(bool lba48, uint64_t& lba);  // false: CHS address outside the geometry
  void next_pio_block(bool first);          // load (read) or request (write) the next block
  bool read_sectors(uint64_t lba, uint32_t n, uint8_t* dst);
  void set_multiple();
  void init_device_parameters();
  void flush();
  void report_position(uint64_t lba, bool lba48);  // task file after an error

  std::unique_ptr<DiskImage> image_;
  uint64_t sectors_;
  Geometry default_chs_;
  Geometry chs_;                  // current translation (INITIALIZE DEVICE PARAMETERS)
  unsigned multiple_ = 0;         // sectors per block in MULTIPLE commands; 0: disabled
  // The sector command in progress.
  Op op_ = Op::Read;
  Xfer xfer_ = Xfer::None;
  bool lba48_ = false;
  uint64_t lba_ = 0;              // next sector
  uint32_t remaining_ = 0;        // sectors still to transfer
  uint32_t block_ = 0;            // sectors in the current PIO block
};

}  // namespace bt86
