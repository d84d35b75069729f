// The 8259A pair (see pic8259.h). Priorities are kept as ranks: rank 0 is the line `highest_`,
// and rotation just moves `highest_`. A request is delivered when its rank is better than that
// of every in-service line (in special mask mode masked in-service lines do not count; in the
// special fully nested mode the master lets a second request through the in-service cascade).
#include "devices/pic8259.h"

#include "devices/byte_io.h"

namespace bt86 {

namespace {

constexpr uint8_t kIcw1 = 0x10, kOcw3 = 0x08;
constexpr uint8_t kIcw1Ic4 = 0x01, kIcw1Single = 0x02, kIcw1Ltim = 0x08;
constexpr uint8_t kIcw4AutoEoi = 0x02, kIcw4Sfnm = 0x10;
constexpr uint8_t kOcw3Esmm = 0x40, kOcw3Smm = 0x20, kOcw3Poll = 0x04, kOcw3Rr = 0x02,
                  kOcw3Ris = 0x01;
constexpr uint8_t kPollRequest = 0x80;  // poll word: I bit (a request was pending)
constexpr unsigned kSpuriousLine = 7;
// PIIX ELCR: IRQ0-2, IRQ8 and IRQ13 are always edge triggered.
constexpr uint8_t kMasterElcrMask = 0xF8, kSlaveElcrMask = 0xDE;
// On the PC/AT bus the IRQ2 pin was rewired to the slave's IRQ9 when the cascade took IRQ2.
constexpr unsigned kAtRedirectedIrq2 = 9;

uint8_t bit(unsigned line) { return uint8_t(1u << line); }

}  // namespace

// ---- one chip --------------------------------------------------------------------------------

void I8259Chip::reset() {
  edge_latch_ = isr_ = imr_ = 0;
  icw2_ = icw3_ = 0;
  highest_ = 0;
  init_ = Init::Uninitialised;
  icw4_needed_ = single_ = ltim_ = false;
  auto_eoi_ = rotate_on_auto_eoi_ = special_fully_nested_ = false;
  special_mask_ = read_isr_ = poll_next_read_ = false;
  elcr = 0;
}

uint8_t I8259Chip::irr() const {
  uint8_t level = ltim_ ? 0xFF : elcr;
  return uint8_t((edge_latch_ & ~level) | (lines_ & level));
}

void I8259Chip::set_input(unsigned line, bool level) {
  if (level && !(lines_ & bit(line))) edge_latch_ |= bit(line);
  lines_ = level ? uint8_t(lines_ | bit(line)) : uint8_t(lines_ & ~bit(line));
}

unsigned I8259Chip::best_rank(uint8_t bits) const {
  for (unsigned rank = 0; rank < 8; ++rank)
    if (bits & bit(line_of_rank(rank))) return rank;
  return 8;
}

int I8259Chip::pending_line() const {
  if (init_ != Init::Done) return -1;  // not (yet, or not fully re-) initialised: INT stays low
  const unsigned rank = best_rank(irr() & ~imr_);
  if (rank == 8) return -1;
  const unsigned line = line_of_rank(rank);
  const uint8_t in_service = special_mask_ ? uint8_t(isr_ & ~imr_) : isr_;
  const unsigned busy_rank = best_rank(in_service);
  const bool nested_cascade = special_fully_nested_ && is_master && rank == busy_rank &&
                              line == Pic8259::kCascadeLine;
  return rank < busy_rank || nested_cascade ? int(line) : -1;
}

void I8259Chip::acknowledge(unsigned line) {
  if (!level_triggered(line)) edge_latch_ &= uint8_t(~bit(line));
  if (!auto_eoi_)
    isr_ |= bit(line);
  else if (rotate_on_auto_eoi_)
    highest_ = (line + 1) & 7;
}

uint8_t I8259Chip::poll() {
  poll_next_read_ = false;
  const int line = pending_line();
  if (line < 0) return 0;
  acknowledge(unsigned(line));
  return uint8_t(kPollRequest | line);
}

uint8_t I8259Chip::read(unsigned a0) {
  if (poll_next_read_) return poll();
  if (a0) return imr_;
  return read_isr_ ? isr_ : irr();
}

void I8259Chip::write(unsigned a0, uint8_t value) {
  if (a0)
    write_data(value);
  else
    write_command(value);
}

void I8259Chip::write_command(uint8_t value) {
  if (value & kIcw1) {
    // ICW1 starts initialisation: the edge sense is reset (an input must rise again), the mask
    // and in-service bits are cleared, IRQ0 gets the highest priority, reads return IRR.
    icw4_needed_ = value & kIcw1Ic4;
    single_ = value & kIcw1Single;
    ltim_ = value & kIcw1Ltim;
    init_ = Init::Icw2;
    edge_latch_ = 0;
    isr_ = imr_ = 0;
    highest_ = 0;
    special_mask_ = read_isr_ = poll_next_read_ = false;
    rotate_on_auto_eoi_ = false;
    if (!icw4_needed_) auto_eoi_ = special_fully_nested_ = false;
  } else if (value & kOcw3) {
    if (value & kOcw3Esmm) special_mask_ = value & kOcw3Smm;
    if (value & kOcw3Poll) poll_next_read_ = true;
    if (value & kOcw3Rr) read_isr_ = value & kOcw3Ris;
  } else {
    end_of_interrupt(value);
  }
}

void I8259Chip::write_data(uint8_t value) {
  switch (init_) {
    case Init::Icw2:
      icw2_ = value;
      init_ = !single_ ? Init::Icw3 : icw4_needed_ ? Init::Icw4 : Init::Done;
      break;
    case Init::Icw3:
      icw3_ = value;
      init_ = icw4_needed_ ? Init::Icw4 : Init::Done;
      break;
    case Init::Icw4:
      auto_eoi_ = value & kIcw4AutoEoi;
      special_fully_nested_ = value & kIcw4Sfnm;
      init_ = Init::Done;
      break;
    case Init::Uninitialised:  // (before ICW1 the mask can be written, but nothing is requested)
    case Init::Done:
      imr_ = value;  // OCW1
      break;
  }
}

// OCW2: bits 7-5 are R, SL, EOI; bits 2-0 the line for the specific (SL) forms.
void I8259Chip::end_of_interrupt(uint8_t ocw2) {
  enum : unsigned {
    kClearRotateAeoi = 0, kNonSpecificEoi = 1, kNop = 2, kSpecificEoi = 3, kSetRotateAeoi = 4,
    kRotateNonSpecificEoi = 5, kSetPriority = 6, kRotateSpecificEoi = 7
  };
  const unsigned command = ocw2 >> 5;
  unsigned line = ocw2 & 7;
  switch (command) {
    case kClearRotateAeoi: rotate_on_auto_eoi_ = false; return;
    case kSetRotateAeoi: rotate_on_auto_eoi_ = true; return;
    case kNop: return;
    case kSetPriority: highest_ = (line + 1) & 7; return;
    case kNonSpecificEoi:
    case kRotateNonSpecificEoi: {
      // In special mask mode a non-specific EOI leaves masked in-service bits alone.
      const unsigned rank = best_rank(special_mask_ ? uint8_t(isr_ & ~imr_) : isr_);
      if (rank == 8) return;
      line = line_of_rank(rank);
      break;
    }
    default: break;  // the specific forms name the line
  }
  isr_ &= uint8_t(~bit(line));
  if (command == kRotateNonSpecificEoi || command == kRotateSpecificEoi) highest_ = (line + 1) & 7;
}

// ---- the pair --------------------------------------------------------------------------------

Pic8259::Pic8259() {
  master_.is_master = true;
  master_.elcr_mask = kMasterElcrMask;
  slave_.elcr_mask = kSlaveElcrMask;
}

void Pic8259::attach(IoBus& io) {
  io.register_ports(kMasterPort, 2, this);
  io.register_ports(kSlavePort, 2, this);
  io.register_ports(kElcrPort, 2, this);
}

void Pic8259::reset() {
  master_.reset();
  slave_.reset();
  update();
}

void Pic8259::set_irq(unsigned irq, bool level) {
  if (irq == kCascadeLine) irq = kAtRedirectedIrq2;
  if (irq < 8)
    master_.set_input(irq, level);
  else
    slave_.set_input(irq - 8, level);
  update();
}

void Pic8259::update() {
  master_.set_input(kCascadeLine, slave_.pending_line() >= 0);
  const bool was = intr_;
  intr_ = master_.pending_line() >= 0;
  if (intr_ && !was) signal_intr_raised();
}

uint8_t Pic8259::acknowledge() {
  uint8_t vector;
  int delivered = -1;  // the IRQ whose request this INTA served
  const int line = master_.pending_line();
  if (line < 0) {
    vector = uint8_t(master_.vector_base() | kSpuriousLine);
  } else {
    master_.acknowledge(unsigned(line));
    if (master_.slave_on(unsigned(line))) {
      // The slave answers the INTA; if its request went away meanwhile it gives IRQ15's
      // vector (while the master's IRQ2 is now in service, as on the real pair).
      const int slave_line = slave_.pending_line();
      if (slave_line >= 0) slave_.acknowledge(unsigned(slave_line));
      if (slave_line >= 0) delivered = 8 + slave_line;
      vector = uint8_t(slave_.vector_base() | (slave_line >= 0 ? unsigned(slave_line) : kSpuriousLine));
    } else {
      delivered = line;
      vector = uint8_t(master_.vector_base() | unsigned(line));
    }
  }
  update();
  if (delivered >= 0 && on_acknowledge) on_acknowledge(unsigned(delivered));
  return vector;
}

uint8_t Pic8259::read_byte(uint16_t port) {
  if ((port & ~1u) == kMasterPort || (port & ~1u) == kSlavePort) return chip_at(port).read(port & 1);
  if ((port & ~1u) == kElcrPort) return chip_at_elcr(port).elcr;
  return 0xFF;  // a wide access reaching past this device's ports
}

void Pic8259::write_byte(uint16_t port, uint8_t value) {
  if ((port & ~1u) == kMasterPort || (port & ~1u) == kSlavePort) {
    chip_at(port).write(port & 1, value);
  } else if ((port & ~1u) == kElcrPort) {
    I8259Chip& chip = chip_at_elcr(port);
    chip.elcr = value & chip.elcr_mask;
  }
}

uint32_t Pic8259::io_read(uint16_t port, unsigned size) {
  const uint32_t value = read_split_bytes(port, size, [this](uint16_t p) { return read_byte(p); });
  update();  // a poll read acknowledges
  return value;
}

void Pic8259::io_write(uint16_t port, uint32_t value, unsigned size) {
  write_split_bytes(port, value, size, [this](uint16_t p, uint8_t v) { write_byte(p, v); });
  update();
}

}  // namespace bt86
