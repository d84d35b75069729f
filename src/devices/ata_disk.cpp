// ATA hard disk command execution (see ata_disk.h).
#include "devices/ata_disk.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "version.h"

namespace bt86 {

namespace {

constexpr uint8_t kCmdInitDeviceParameters = 0x91, kCmdSetMultiple = 0xC6, kCmdIdentify = 0xEC;
constexpr uint8_t kCmdFlushCache = 0xE7, kCmdFlushCacheExt = 0xEA, kCmdSeek = 0x70;
constexpr uint8_t kCmdRecalibrateFirst = 0x10, kCmdRecalibrateLast = 0x1F;
constexpr uint8_t kCmdPacket = 0xA0, kCmdIdentifyPacket = 0xA1;  // ATAPI only: aborted here

constexpr uint32_t kDefaultHeads = 16, kDefaultSectorsPerTrack = 63, kMaxCylinders = 16383;
constexpr uint64_t kMaxLba28 = 0x0FFFFFFF;
constexpr uint32_t kDmaChunkSectors = 128;  // sectors staged per DMA step

}  // namespace

AtaDisk::AtaDisk(std::unique_ptr<DiskImage> image)
    : image_(std::move(image)), sectors_(image_->size_bytes() / kSectorSize) {
  if (sectors_ == 0)
    throw std::runtime_error("disk image '" + image_->path() + "' is smaller than one 512-byte sector");
  const uint64_t per_cylinder = kDefaultHeads * kDefaultSectorsPerTrack;
  const uint32_t cylinders = uint32_t(std::clamp<uint64_t>(sectors_ / per_cylinder, 1, kMaxCylinders));
  default_chs_ = {cylinders, kDefaultHeads, kDefaultSectorsPerTrack};
  power_on_reset();
}

void AtaDisk::restore_defaults() {
  multiple_ = 0;
  chs_ = default_chs_;
}

const AtaDisk::SectorCommand AtaDisk::kSectorCommands[] = {
    {0x20, Op::Read, Xfer::Pio, false},       {0x21, Op::Read, Xfer::Pio, false},   // READ SECTORS
    {0x24, Op::Read, Xfer::Pio, true},                                              //   EXT
    {0x30, Op::Write, Xfer::Pio, false},      {0x31, Op::Write, Xfer::Pio, false},  // WRITE SECTORS
    {0x34, Op::Write, Xfer::Pio, true},                                             //   EXT
    {0xC4, Op::Read, Xfer::Multiple, false},  {0x29, Op::Read, Xfer::Multiple, true},   // READ MULTIPLE
    {0xC5, Op::Write, Xfer::Multiple, false}, {0x39, Op::Write, Xfer::Multiple, true},  // WRITE MULTIPLE
    {0xC8, Op::Read, Xfer::Dma, false},       {0xC9, Op::Read, Xfer::Dma, false},   // READ DMA
    {0x25, Op::Read, Xfer::Dma, true},                                              //   EXT
    {0xCA, Op::Write, Xfer::Dma, false},      {0xCB, Op::Write, Xfer::Dma, false},  // WRITE DMA
    {0x35, Op::Write, Xfer::Dma, true},                                             //   EXT
    {0x40, Op::Verify, Xfer::None, false},    {0x41, Op::Verify, Xfer::None, false},  // READ VERIFY
    {0x42, Op::Verify, Xfer::None, true},                                             //   EXT
};

bool AtaDisk::execute(uint8_t cmd) {
  for (const SectorCommand& c : kSectorCommands) {
    if (c.opcode != cmd) continue;
    start(c.op, c.xfer, c.lba48);
    return true;
  }
  switch (cmd) {
    case kCmdIdentify:
      xfer_ = Xfer::None;  // pio_buffer_done() then just completes
      start_identify_data(identify());
      return true;
    case kCmdSetMultiple: set_multiple(); return true;
    case kCmdInitDeviceParameters: init_device_parameters(); return true;
    case kCmdFlushCache: case kCmdFlushCacheExt: flush(); return true;
    case kCmdSeek: finish(); return true;
    case kCmdPacket: case kCmdIdentifyPacket: abort_command(); return true;  // not a packet device
    default:
      if (cmd >= kCmdRecalibrateFirst && cmd <= kCmdRecalibrateLast) { finish(); return true; }
      return false;
  }
}

bool AtaDisk::address(bool lba48, uint64_t& lba) {
  if (lba48) { lba = tf_.lba48(); return true; }
  if (tf_.device & ata::kDevLba) { lba = tf_.lba28(); return true; }
  const uint32_t cylinder = uint32_t(tf_.lba_high) << 8 | tf_.lba_mid;
  const uint32_t head = tf_.device & 0x0F, sector = tf_.lba_low;
  if (sector == 0 || sector > chs_.sectors || head >= chs_.heads || cylinder >= chs_.cylinders)
    return false;
  lba = (uint64_t(cylinder) * chs_.heads + head) * chs_.sectors + sector - 1;
  return true;
}

void AtaDisk::report_position(uint64_t lba, bool lba48) {
  tf_.lba_low = uint8_t(lba);
  tf_.lba_mid = uint8_t(lba >> 8);
  tf_.lba_high = uint8_t(lba >> 16);
  if (lba48) {
    tf_.hob_lba_low = uint8_t(lba >> 24);
    tf_.hob_lba_mid = uint8_t(lba >> 32);
    tf_.hob_lba_high = uint8_t(lba >> 40);
  } else {
    tf_.device = uint8_t((tf_.device & 0xF0) | ((lba >> 24) & 0x0F));
  }
}

void AtaDisk::start(Op op, Xfer xfer, bool lba48) {
  uint64_t lba = 0;
  const uint32_t count = lba48 ? tf_.count48() : tf_.count28();
  if (xfer == Xfer::Multiple && multiple_ == 0) { abort_command(); return; }
  if (!address(lba48, lba) || lba + count > sectors_) {
    report_position(std::min(lba, sectors_), lba48);
    finish(ata::kIdnf | ata::kAbrt);
    return;
  }
  op_ = op;
  xfer_ = xfer;
  lba48_ = lba48;
  lba_ = lba;
  remaining_ = count;
  switch (xfer) {
    case Xfer::None: finish(); break;  // READ VERIFY: the range exists; nothing to move
    case Xfer::Dma: request_dma(); break;
    case Xfer::Pio: case Xfer::Multiple: next_pio_block(/*first=*/true); break;
  }
}

bool AtaDisk::read_sectors(uint64_t lba, uint32_t n, uint8_t* dst) {
  return image_->read(lba * kSectorSize, dst, uint64_t(n) * kSectorSize);
}

void AtaDisk::next_pio_block(bool first) {
  block_ = std::min<uint32_t>(remaining_, xfer_ == Xfer::Multiple ? multiple_ : 1);
  const size_t bytes = size_t(block_) * kSectorSize;
  if (op_ == Op::Write) {
    start_pio_out(bytes, /*interrupt=*/!first);  // the host sends the first block unprompted
    return;
  }
  buffer().resize(bytes);
  if (!read_sectors(lba_, block_, buffer().data())) {
    report_position(lba_, lba48_);
    finish(ata::kUnc);
    return;
  }
  start_pio_in();
}

void AtaDisk::pio_buffer_done() {
  if (xfer_ == Xfer::None) { finish(0, false); return; }  // IDENTIFY data read
  if (op_ == Op::Write && !image_->write(lba_ * kSectorSize, buffer().data(), buffer().size())) {
    report_position(lba_, lba48_);
    finish(ata::kAbrt);
    return;
  }
  lba_ += block_;
  remaining_ -= block_;
  if (remaining_ == 0) {
    xfer_ = Xfer::None;
    finish(0, /*interrupt=*/op_ == Op::Write);  // reads end without an interrupt
    return;
  }
  next_pio_block(/*first=*/false);
}

void AtaDisk::dma_transfer(IdeDmaPort& port) {
  std::vector<uint8_t> chunk;
  while (remaining_ > 0) {
    const uint32_t n = std::min(remaining_, kDmaChunkSectors);
    const size_t bytes = size_t(n) * kSectorSize;
    chunk.resize(bytes);
    bool ok;
    if (op_ == Op::Read)
      ok = read_sectors(lba_, n, chunk.data()) && port.to_memory(chunk.data(), bytes) == bytes;
    else
      ok = port.from_memory(chunk.data(), bytes) == bytes &&
           image_->write(lba_ * kSectorSize, chunk.data(), bytes);
    if (!ok) {  // I/O error, or a PRD table shorter than the transfer
      report_position(lba_, lba48_);
      finish(op_ == Op::Read ? ata::kUnc : ata::kAbrt);
      return;
    }
    lba_ += n;
    remaining_ -= n;
  }
  xfer_ = Xfer::None;
  finish();
}

void AtaDisk::set_multiple() {
  const unsigned n = tf_.count;
  if (n > kMaxMultiple || (n & (n - 1)) != 0) { abort_command(); return; }
  multiple_ = n;
  finish();
}

void AtaDisk::init_device_parameters() {
  const uint32_t spt = tf_.count, heads = (tf_.device & 0x0F) + 1u;
  if (spt == 0) { abort_command(); return; }
  const uint64_t cylinders = std::min<uint64_t>(sectors_ / (uint64_t(heads) * spt), 65535);
  chs_ = {uint32_t(cylinders), heads, spt};
  finish();
}

void AtaDisk::flush() {
  if (image_->flush()) finish();
  else finish(ata::kAbrt);
}

std::array<uint16_t, 256> AtaDisk::identify() const {
  std::array<uint16_t, 256> id{};
  const uint64_t chs_capacity = uint64_t(chs_.cylinders) * chs_.heads * chs_.sectors;
  const uint32_t lba28 = uint32_t(std::min(sectors_, kMaxLba28));
  id[0] = 0x0040;  // fixed disk
  id[1] = uint16_t(default_chs_.cylinders);
  id[3] = uint16_t(default_chs_.heads);
  id[6] = uint16_t(default_chs_.sectors);
  put_string(id.data(), 10, 10, "BT86HD0001");          // serial number
  put_string(id.data(), 23, 4, kBt86Version);           // firmware revision
  put_string(id.data(), 27, 20, "bt86 HARDDISK");       // model number
  id[47] = 0x8000 | kMaxMultiple;
  id[49] = 0x0B00;  // IORDY supported, LBA, DMA
  id[50] = 0x4000;
  id[53] = 0x0001;  // words 54-58 valid (put_transfer_modes adds 64-70 and 88)
  id[54] = uint16_t(chs_.cylinders);
  id[55] = uint16_t(chs_.heads);
  id[56] = uint16_t(chs_.sectors);
  id[57] = uint16_t(chs_capacity);
  id[58] = uint16_t(chs_capacity >> 16);
  id[59] = uint16_t(0x0100 | multiple_);  // multiple sector setting valid
  id[60] = uint16_t(lba28);
  id[61] = uint16_t(lba28 >> 16);
  put_transfer_modes(id.data());
  id[80] = 0x007E;  // ATA-1 .. ATA-6
  id[82] = 0x0060;  // supported: read look-ahead, write cache
  id[83] = 0x7400;  // FLUSH CACHE EXT, FLUSH CACHE, 48-bit address feature set
  id[84] = 0x4000;
  id[85] = uint16_t(0x0040 | (write_cache_enabled() ? 0x0020 : 0));  // enabled
  id[86] = 0x3400;
  id[87] = 0x4000;
  for (unsigned i = 0; i < 4; ++i) id[100 + i] = uint16_t(sectors_ >> (16 * i));
  put_checksum(id.data());
  return id;
}

}  // namespace bt86
