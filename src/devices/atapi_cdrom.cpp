// ATAPI packet protocol of the CD-ROM drive (see atapi_cdrom.h).
#include "devices/atapi_cdrom.h"

#include <algorithm>

#include "version.h"

namespace bt86 {

namespace {

constexpr uint8_t kCmdDeviceReset = 0x08, kCmdPacket = 0xA0, kCmdIdentifyPacket = 0xA1;
constexpr uint8_t kCmdIdentify = 0xEC, kCmdReadSectors = 0x20, kCmdReadSectorsRetry = 0x21;
constexpr size_t kPacketBytes = 12;
constexpr uint8_t kFeatureDma = 0x01;
// Interrupt reason (sector count register): CoD = command/data, IO = to the host.
constexpr uint8_t kReasonCoD = 0x01, kReasonIo = 0x02;
constexpr uint16_t kMaxByteCount = 0xFFFE;

}  // namespace

AtapiCdrom::AtapiCdrom(std::unique_ptr<DiskImage> image) : mmc_(std::move(image)) {
  power_on_reset();
}

bool AtapiCdrom::execute(uint8_t cmd) {
  phase_ = Phase::Idle;
  switch (cmd) {
    case kCmdPacket: start_packet(); return true;
    case kCmdIdentifyPacket:
      phase_ = Phase::IdentifyData;
      start_identify_data(identify());
      return true;
    case kCmdIdentify: case kCmdReadSectors: case kCmdReadSectorsRetry:
      write_signature();  // tells the host this is a packet device
      abort_command();
      return true;
    case kCmdDeviceReset:
      soft_reset_begin();
      soft_reset_end();
      return true;
    default:
      return false;
  }
}

void AtapiCdrom::set_reason(uint8_t reason) { tf_.count = uint8_t((tf_.count & ~0x07) | reason); }

void AtapiCdrom::start_packet() {
  dma_ = tf_.feature & kFeatureDma;
  byte_limit_ = uint16_t(tf_.lba_high << 8 | tf_.lba_mid);
  if (byte_limit_ == 0 || byte_limit_ > kMaxByteCount) byte_limit_ = kMaxByteCount;
  byte_limit_ &= uint16_t(~1u);  // whole words unless it is the last block
  phase_ = Phase::Command;
  set_reason(kReasonCoD);
  start_pio_out(kPacketBytes, /*interrupt=*/false);  // DRQ within 50 us: no interrupt
}

void AtapiCdrom::pio_buffer_done() {
  switch (phase_) {
    case Phase::Command: run_packet(); break;
    case Phase::DataIn:
      if (sent_ < data_.size()) send_pio_block();
      else complete(scsi::kNoSense);
      break;
    case Phase::IdentifyData: phase_ = Phase::Idle; finish(0, false); break;
    case Phase::Idle: break;
  }
}

void AtapiCdrom::run_packet() {
  CdromMmc::Cdb cdb{};
  std::copy_n(buffer().begin(), kPacketBytes, cdb.begin());
  CdromMmc::Result r = mmc_.execute(cdb);
  if (!r.good() || r.data.empty()) {
    complete(r.sense_key);
    return;
  }
  data_ = std::move(r.data);
  sent_ = 0;
  phase_ = Phase::DataIn;
  if (dma_) {
    set_reason(kReasonIo);
    request_dma();
  } else {
    send_pio_block();
  }
}

void AtapiCdrom::send_pio_block() {
  const size_t n = std::min<size_t>(data_.size() - sent_, byte_limit_);
  buffer().assign(data_.begin() + ptrdiff_t(sent_), data_.begin() + ptrdiff_t(sent_ + n));
  sent_ += n;
  tf_.lba_mid = uint8_t(n);
  tf_.lba_high = uint8_t(n >> 8);
  set_reason(kReasonIo);
  start_pio_in();
}

void AtapiCdrom::dma_transfer(IdeDmaPort& port) {
  const bool whole = port.to_memory(data_.data(), data_.size()) == data_.size();
  // A PRD table shorter than the data is the host's mistake: report an aborted command.
  if (!whole) {
    phase_ = Phase::Idle;
    set_reason(kReasonIo | kReasonCoD);
    finish(ata::kAbrt);
    return;
  }
  complete(scsi::kNoSense);
}

void AtapiCdrom::complete(uint8_t sense_key) {
  phase_ = Phase::Idle;
  data_.clear();
  set_reason(kReasonIo | kReasonCoD);
  finish(uint8_t(sense_key << 4));
}

std::array<uint16_t, 256> AtapiCdrom::identify() const {
  std::array<uint16_t, 256> id{};
  id[0] = 0x85C0;  // ATAPI, CD-ROM device, removable, DRQ within 50 us, 12-byte packets
  put_string(id.data(), 10, 10, "BT86CD0001");
  put_string(id.data(), 23, 4, kBt86Version);
  put_string(id.data(), 27, 20, "bt86 DVD-ROM");
  id[49] = 0x0B00;  // IORDY supported, LBA, DMA
  put_transfer_modes(id.data());
  id[80] = 0x007E;  // ATA/ATAPI-1 .. 6
  id[82] = 0x0010;  // PACKET command feature set
  id[83] = 0x4000;
  id[84] = 0x4000;
  id[85] = 0x0010;
  id[86] = 0x0000;
  id[87] = 0x4000;
  put_checksum(id.data());
  return id;
}

}  // namespace bt86
