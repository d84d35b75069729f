// What ATA disks and ATAPI CD-ROMs have in common as devices on an IDE channel: the task-file
// registers (with the "high order byte" copies used by 48-bit commands), status and error, the
// interrupt request, the PIO data buffer behind the data port, the wait for the bus master in
// DMA commands, soft reset with the device signature, and the commands every device answers the
// same way (SET FEATURES transfer mode, EXECUTE DEVICE DIAGNOSTIC, power management).
//
// The channel (ide_controller.h) writes command-block registers to both devices on the cable,
// reads them from the selected one, and calls command() for the selected device. A device
// reports interrupts and DMA requests to the channel through IdeDrive::Link.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bt86 {

namespace ata {
// Status register bits.
constexpr uint8_t kBsy = 0x80, kDrdy = 0x40, kDf = 0x20, kDsc = 0x10, kDrq = 0x08, kErr = 0x01;
// Error register bits.
constexpr uint8_t kAbrt = 0x04, kIdnf = 0x10, kUnc = 0x40;
// Device register: LBA addressing, device 1 (slave).
constexpr uint8_t kDevLba = 0x40, kDevSlave = 0x10;
// Device control register.
constexpr uint8_t kCtlNien = 0x02, kCtlSrst = 0x04, kCtlHob = 0x80;
// Commands every device handles in IdeDrive::common_command.
constexpr uint8_t kCmdExecuteDiagnostic = 0x90, kCmdSetFeatures = 0xEF, kCmdCheckPowerMode = 0xE5;
constexpr uint8_t kCmdStandbyImmediate = 0xE0, kCmdIdleImmediate = 0xE1, kCmdStandby = 0xE2,
                  kCmdIdle = 0xE3, kCmdStandbyOld = 0x94, kCmdIdleImmediateOld = 0x95,
                  kCmdStandbyOld2 = 0x96, kCmdIdleOld = 0x97, kCmdCheckPowerModeOld = 0x98;
}  // namespace ata

// The bus master as a drive sees it: moves bytes between the drive and guest memory along the
// PRD table. Each call returns the number of bytes moved; fewer than asked means the table ended.
class IdeDmaPort {
 public:
  virtual ~IdeDmaPort() = default;
  virtual size_t to_memory(const uint8_t* data, size_t len) = 0;
  virtual size_t from_memory(uint8_t* data, size_t len) = 0;
};

struct TaskFile {
  // Current and previous ("HOB") values of the shadowed command-block registers.
  uint8_t feature = 0, count = 0, lba_low = 0, lba_mid = 0, lba_high = 0;
  uint8_t hob_feature = 0, hob_count = 0, hob_lba_low = 0, hob_lba_mid = 0, hob_lba_high = 0;
  uint8_t device = 0;

  uint32_t lba28() const { return uint32_t(device & 0x0F) << 24 | lba_high << 16 | lba_mid << 8 | lba_low; }
  uint64_t lba48() const {
    return uint64_t(hob_lba_high) << 40 | uint64_t(hob_lba_mid) << 32 | uint64_t(hob_lba_low) << 24 |
           uint32_t(lba_high) << 16 | lba_mid << 8 | lba_low;
  }
  uint32_t count28() const { return count ? count : 256; }
  uint32_t count48() const { uint32_t n = uint32_t(hob_count) << 8 | count; return n ? n : 65536; }
};

class IdeDrive {
 public:
  class Link {  // the channel, as the device sees it
   public:
    virtual ~Link() = default;
    virtual void drive_irq_changed() = 0;   // irq_pending() changed
    virtual void drive_dma_requested() = 0; // dma_pending() became true
  };

  virtual ~IdeDrive() = default;
  void connect(Link* link) { link_ = link; }

  // Register access by the channel (offsets 1-7 of the command block).
  void write_register(unsigned reg, uint8_t value);
  uint8_t read_register(unsigned reg, bool hob) const;
  uint8_t status() const { return status_; }
  void command(uint8_t cmd);

  // The data port (size 2 or 4: PIIX supports 32-bit PIO).
  uint32_t read_data(unsigned size);
  void write_data(uint32_t value, unsigned size);

  bool irq_pending() const { return irq_pending_; }
  void clear_irq();                          // the host read the status register
  bool dma_pending() const { return dma_pending_; }
  void run_dma(IdeDmaPort& port);            // the bus master is running: do the transfer

  // SRST asserted / released, and the power-on (hardware) reset, which also restores the
  // default settings (transfer mode, write cache, device-specific ones).
  void soft_reset_begin();
  void soft_reset_end();
  void power_on_reset();

  virtual bool is_atapi() const = 0;

 protected:
  // The device-specific part of command(): returns false for opcodes it does not know.
  virtual bool execute(uint8_t cmd) = 0;
  // The host has read (PIO in) or written (PIO out) the whole data buffer.
  virtual void pio_buffer_done() = 0;
  // DMA data phase of the current command; the drive finishes the command itself.
  virtual void dma_transfer(IdeDmaPort& port) = 0;
  // The device signature in LBA mid/high after reset and diagnostics (ATA: 0000h, ATAPI: EB14h);
  // write_signature() puts it into the task file with count = LBA low = 1.
  virtual uint16_t signature() const = 0;
  void write_signature();
  virtual uint8_t status_after_reset() const = 0;
  virtual const char* kind() const = 0;   // "disk" / "cdrom" for log messages
  virtual void restore_defaults() {}      // device-specific settings at power-on

  // Completion helpers.
  void finish(uint8_t error_bits = 0, bool interrupt = true);  // ready; ERR if error_bits
  void abort_command() { finish(ata::kAbrt); }
  void raise_irq();
  // Data phases: the buffer holds what the host reads (PIO in) or receives what it writes.
  void start_pio_in(bool interrupt = true);  // the host reads buffer() (filled by the caller)
  void start_pio_out(size_t len, bool interrupt);  // the host writes len bytes into buffer()
  void request_dma();                        // DRQ; wait for the bus master
  void start_identify_data(const std::array<uint16_t, 256>& id);  // PIO in of IDENTIFY data
  std::vector<uint8_t>& buffer() { return buf_; }

  // Shared IDENTIFY words: the strings, transfer modes (51, 53, 63-68, 88), integrity word 255.
  static void put_string(uint16_t* words, unsigned first, unsigned count_words, const std::string& s);
  void put_transfer_modes(uint16_t* id) const;
  static void put_checksum(uint16_t* id);
  bool write_cache_enabled() const { return write_cache_; }

  TaskFile tf_;
  uint8_t status_ = 0, error_ = 0;

 private:
  bool common_command(uint8_t cmd);
  bool set_features();
  void log_unknown(uint8_t cmd);

  Link* link_ = nullptr;
  bool irq_pending_ = false;
  bool dma_pending_ = false;
  enum class Pio { None, In, Out } pio_ = Pio::None;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  uint8_t mwdma_mode_ = 0xFF, udma_mode_ = 0xFF;  // selected DMA mode, 0xFF: none
  bool write_cache_ = true;  // SET FEATURES 02h/82h; reported in IDENTIFY word 85
  bool warned_[256] = {};
};

}  // namespace bt86
