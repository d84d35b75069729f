// An ATAPI CD/DVD-ROM drive on an IDE channel: the ATA side of the packet protocol around the
// MMC command set of cdrom_mmc.h.
//
// PACKET (A0h): the drive asks for the 12-byte command block (DRQ, interrupt reason CoD=1),
// runs it, then moves its data either by PIO in DRQ blocks no larger than the byte count limit
// the host put in the LBA mid/high registers (each block announced with an interrupt, interrupt
// reason IO=1 and the block size in LBA mid/high), or by DMA when the feature register's DMA bit
// is set. Completion is announced with interrupt reason IO=1 CoD=1; a CHECK CONDITION sets ERR
// with the sense key in the error register's high nibble. After reset the drive shows the
// packet signature (LBA mid/high 14h/EBh) with DRDY clear, and IDENTIFY DEVICE aborts (leaving
// the signature) so hosts find IDENTIFY PACKET DEVICE (A1h) instead.
#pragma once
#include <array>
#include <memory>
#include "devices/cdrom_mmc.h"
#include "devices/ide_drive.h"

namespace bt86 {

class AtapiCdrom : public IdeDrive {
 public:
  explicit AtapiCdrom(std::unique_ptr<DiskImage> image);
  bool is_atapi() const override { return true; }
  std::array<uint16_t, 256> identify() const;
  CdromMmc& mmc() { return mmc_; }

 protected:
  bool execute(uint8_t cmd) override;
  void pio_buffer_done() override;
  void dma_transfer(IdeDmaPort& port) override;
  uint16_t signature() const override { return 0xEB14; }
  uint8_t status_after_reset() const override { return 0; }
  const char* kind() const override { return "cdrom"; }

 private:
  enum class Phase { Idle, Command, DataIn, IdentifyData };
  void start_packet();
  void run_packet();
  void send_pio_block();
  void complete(uint8_t sense_key);  // status phase: good (0) or CHECK CONDITION
  void set_reason(uint8_t reason);

  CdromMmc mmc_;
  Phase phase_ = Phase::Idle;
  bool dma_ = false;              // the current packet moves its data by DMA
  uint16_t byte_limit_ = 0;       // PIO byte count limit of the current packet
  std::vector<uint8_t> data_;     // data-in of the current packet
  size_t sent_ = 0;               // bytes of data_ already handed to the host
};

}  // namespace bt86
