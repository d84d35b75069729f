// The bus-master IDE function of one PIIX channel (8 bytes of the PCI function's BAR4):
//   +0 command: bit 0 start/stop, bit 3 direction (1 = the controller writes guest memory)
//   +2 status:  bit 0 active (read-only), bit 1 error and bit 2 interrupt (write 1 to clear),
//               bits 5/6 drive 0/1 DMA capable (software-set), bit 7 simplex (always 0)
//   +4 PRD table address (dword aligned)
// The PRD table is a list of 8-byte entries in guest memory: a 32-bit physical address, a 16-bit
// byte count (0 means 64 KiB) and bit 15 of the last word marking the end of the table (EOT).
// As an IdeDmaPort it moves drive data along the table with PhysMem::copy_to/copy_from; copy_to
// reports the written RAM to PhysMem's content listeners, which the machine uses to drop
// decoded code there (machine/code_tracking.h).
#pragma once
#include <cstdint>
#include <functional>
#include "devices/ide_drive.h"
#include "mmu/phys_mem.h"

namespace bt86 {

class IdeBusMaster : public IdeDmaPort {
 public:
  static constexpr uint8_t kCmdStart = 0x01, kCmdToMemory = 0x08;
  static constexpr uint8_t kStActive = 0x01, kStError = 0x02, kStInterrupt = 0x04,
                           kStDrive0Dma = 0x20, kStDrive1Dma = 0x40;

  explicit IdeBusMaster(PhysMem& mem) : mem_(mem) {}
  void reset();

  // Register access, offset 0-7 within the channel's block; any size, byte by byte.
  uint32_t read(unsigned offset, unsigned size) const;
  void write(unsigned offset, uint32_t value, unsigned size);

  bool running() const {
    return (command_ & kCmdStart) && (status_ & kStActive) && (!may_master || may_master());
  }
  void note_interrupt() { status_ |= kStInterrupt; }  // the channel's interrupt line rose
  // After a drive finished its transfer: the engine goes idle if it used up the table (a table
  // longer than the transfer leaves it active, as on a PIIX).
  void transfer_done();

  // Called when start is written (0 -> 1): the channel then runs a waiting DMA command.
  std::function<void()> on_start;
  // Whether the PCI function may master the bus (command register bit 2); unset: always.
  std::function<bool()> may_master;

  size_t to_memory(const uint8_t* data, size_t len) override;
  size_t from_memory(uint8_t* data, size_t len) override;

 private:
  uint8_t read_byte(unsigned offset) const;
  void write_byte(unsigned offset, uint8_t value);
  // Makes the current PRD entry non-empty; false when the table has ended.
  bool next_entry();
  template <typename Copy>
  size_t walk(size_t len, Copy copy);

  PhysMem& mem_;
  uint8_t command_ = 0, status_ = 0;
  uint32_t prd_table_ = 0;
  // Position in the table while a transfer runs.
  uint32_t entry_addr_ = 0;  // next PRD entry to load
  uint32_t cur_addr_ = 0;    // guest address in the current entry
  uint32_t cur_left_ = 0;    // bytes left in the current entry
  bool last_entry_ = false;  // the current entry has EOT
};

}  // namespace bt86
