// PIIX bus-master IDE registers and PRD table walking (see ide_bus_master.h).
#include "devices/ide_bus_master.h"

#include <algorithm>

namespace bt86 {

namespace {
constexpr uint32_t kPrdEntrySize = 8;
constexpr uint32_t kPrdEot = 0x80000000u;  // in the entry's second dword
constexpr uint32_t kPage = 4096;
}  // namespace

void IdeBusMaster::reset() {
  command_ = status_ = 0;
  prd_table_ = entry_addr_ = cur_addr_ = cur_left_ = 0;
  last_entry_ = false;
}

uint8_t IdeBusMaster::read_byte(unsigned offset) const {
  switch (offset) {
    case 0: return command_;
    case 2: return status_;
    case 4: case 5: case 6: case 7: return uint8_t(prd_table_ >> (8 * (offset - 4)));
    default: return 0;
  }
}

void IdeBusMaster::write_byte(unsigned offset, uint8_t value) {
  switch (offset) {
    case 0: {
      const bool was_started = command_ & kCmdStart;
      command_ = value & (kCmdStart | kCmdToMemory);
      if (!(value & kCmdStart)) {
        status_ &= uint8_t(~kStActive);  // stop: abandons any transfer in progress
      } else if (!was_started) {
        entry_addr_ = prd_table_;
        cur_left_ = 0;
        last_entry_ = false;
        status_ |= kStActive;
        if (on_start) on_start();
      }
      break;
    }
    case 2:
      status_ = uint8_t((status_ & ~(kStDrive0Dma | kStDrive1Dma)) | (value & (kStDrive0Dma | kStDrive1Dma)));
      status_ &= uint8_t(~(value & (kStError | kStInterrupt)));
      break;
    case 4: case 5: case 6: case 7: {
      const unsigned shift = 8 * (offset - 4);
      prd_table_ = (prd_table_ & ~(0xFFu << shift)) | (uint32_t(value) << shift);
      prd_table_ &= ~3u;
      break;
    }
    default: break;
  }
}

uint32_t IdeBusMaster::read(unsigned offset, unsigned size) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint32_t(read_byte(offset + i)) << (8 * i);
  return v;
}

void IdeBusMaster::write(unsigned offset, uint32_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) write_byte(offset + i, uint8_t(value >> (8 * i)));
}

bool IdeBusMaster::next_entry() {
  while (cur_left_ == 0) {
    if (last_entry_) return false;
    const uint32_t addr = mem_.read(entry_addr_, 4);
    const uint32_t count_eot = mem_.read(entry_addr_ + 4, 4);
    entry_addr_ += kPrdEntrySize;
    cur_addr_ = addr & ~1u;
    cur_left_ = count_eot & 0xFFFE;
    if (cur_left_ == 0) cur_left_ = 0x10000;
    last_entry_ = count_eot & kPrdEot;
  }
  return true;
}

template <typename Copy>
size_t IdeBusMaster::walk(size_t len, Copy copy) {
  size_t done = 0;
  while (done < len && running() && next_entry()) {
    const uint32_t in_page = kPage - (cur_addr_ & (kPage - 1));
    const uint32_t chunk = uint32_t(std::min<size_t>({len - done, cur_left_, in_page}));
    copy(cur_addr_, done, chunk);
    cur_addr_ += chunk;
    cur_left_ -= chunk;
    done += chunk;
  }
  return done;
}

size_t IdeBusMaster::to_memory(const uint8_t* data, size_t len) {
  return walk(len, [&](uint32_t paddr, size_t at, uint32_t n) { mem_.copy_to(paddr, data + at, n); });
}

size_t IdeBusMaster::from_memory(uint8_t* data, size_t len) {
  return walk(len, [&](uint32_t paddr, size_t at, uint32_t n) { mem_.copy_from(paddr, data + at, n); });
}

void IdeBusMaster::transfer_done() {
  if (cur_left_ == 0 && last_entry_) status_ &= uint8_t(~kStActive);
}

}  // namespace bt86
