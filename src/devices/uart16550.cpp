// 16550A UART (see uart16550.h).
#include "devices/uart16550.h"

#include <algorithm>

namespace bt86 {

namespace {
constexpr unsigned kTriggerLevels[4] = {1, 4, 8, 14};
constexpr unsigned kTimeoutChars = 4;
constexpr uint64_t kSecondNs = 1'000'000'000ull;
}  // namespace

Uart16550::Uart16550(uint16_t base, VirtualClock& clock, SerialBackend* backend)
    : base_(base), clock_(clock), backend_(backend) {
  schedule_poll(kPollNs);
}

Uart16550::~Uart16550() {
  if (poll_timer_) clock_.cancel(poll_timer_);
  if (backend_) backend_->flush();
}

void Uart16550::reset() {
  rx_.clear();
  ier_ = fcr_ = lcr_ = mcr_ = 0;
  line_errors_ = msr_deltas_ = 0;
  thre_interrupt_ = false;
  update_irq();
}

uint32_t Uart16550::io_read(uint16_t port, unsigned size) {
  const bool dlab = lcr_ & kLcrDlab;
  uint8_t value = 0;
  switch (uint8_t(port - base_)) {
    case kRbrThr:
      if (dlab) return uint8_t(divisor_);
      if (!rx_.empty()) {
        value = rx_.front();
        rx_.pop_front();
      }
      rx_activity_ns_ = clock_.now_ns();
      break;
    case kIer: return dlab ? uint8_t(divisor_ >> 8) : ier_;
    case kIirFcr:
      value = pending_interrupt();
      if (value == kIirThre) thre_interrupt_ = false;  // reading IIR acknowledges THRE
      if (fcr_ & kFcrEnable) value |= kIirFifos;
      break;
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr:
      value = uint8_t((rx_.empty() ? 0 : kLsrDr) | line_errors_ | kLsrThre | kLsrTemt);
      line_errors_ = 0;
      break;
    case kMsr:
      value = uint8_t(modem_inputs() | msr_deltas_);
      msr_deltas_ = 0;
      break;
    default: return scr_;
  }
  update_irq();
  return value;
}

void Uart16550::io_write(uint16_t port, uint32_t value, unsigned size) {
  const uint8_t byte = uint8_t(value);
  const bool dlab = lcr_ & kLcrDlab;
  switch (uint8_t(port - base_)) {
    case kRbrThr:
      if (dlab) divisor_ = uint16_t((divisor_ & 0xFF00) | byte);
      else transmit(byte);
      break;
    case kIer:
      if (dlab) {
        divisor_ = uint16_t((divisor_ & 0x00FF) | byte << 8);
      } else {
        // Enabling the THRE interrupt while THR is empty (it always is) raises it at once.
        if ((byte & kIerThre) && !(ier_ & kIerThre)) thre_interrupt_ = true;
        ier_ = byte & 0x0F;
      }
      break;
    case kIirFcr:
      if ((byte ^ fcr_) & kFcrEnable) rx_.clear();  // switching FIFO mode clears the FIFOs
      if (byte & kFcrClearRx) rx_.clear();
      fcr_ = (byte & kFcrEnable) ? uint8_t(byte & ~(kFcrClearRx | kFcrClearTx)) : 0;
      break;
    case kLcr: lcr_ = byte; break;
    case kMcr: set_modem_control(byte & 0x1F); break;
    case kLsr:
    case kMsr: break;  // read-only (factory test writes have no defined effect)
    default: scr_ = byte; break;
  }
  update_irq();
}

void Uart16550::transmit(uint8_t byte) {
  if (mcr_ & kMcrLoop) receive(byte);
  else if (backend_) backend_->write(byte);
  thre_interrupt_ = true;  // sent at once: THR is empty again
}

void Uart16550::receive(uint8_t byte) {
  const size_t capacity = (fcr_ & kFcrEnable) ? kFifoSize : 1;
  if (rx_.size() >= capacity) {
    line_errors_ |= kLsrOe;
    // Without FIFOs the new byte overwrites RBR; with them the FIFO keeps its bytes.
    if (!(fcr_ & kFcrEnable)) rx_.back() = byte;
  } else {
    rx_.push_back(byte);
  }
  rx_activity_ns_ = clock_.now_ns();
  update_irq();
}

size_t Uart16550::receiver_room() const {
  const size_t capacity = (fcr_ & kFcrEnable) ? kFifoSize : 1;
  return rx_.size() >= capacity ? 0 : capacity - rx_.size();
}

void Uart16550::poll() {
  size_t taken = 0;
  if (backend_) {
    backend_->flush();
    uint8_t buf[kFifoSize];
    // In loopback the receiver is cut off from the wire: host input waits.
    while (!(mcr_ & kMcrLoop) && receiver_room() > 0) {
      const size_t n = backend_->read(buf, receiver_room());
      if (n == 0) break;
      for (size_t i = 0; i < n; ++i) receive(buf[i]);
      taken += n;
    }
  }
  update_irq();  // the character timeout may have expired
  if (poll_timer_) clock_.cancel(poll_timer_);
  schedule_poll(next_poll_delay(taken));
}

void Uart16550::poll_now() { poll(); }

int Uart16550::input_fd() const {
  if (!backend_ || (mcr_ & kMcrLoop) || receiver_room() == 0) return -1;
  return backend_->input_fd();
}

// While the host is typing, the next bytes are due one character time each after these; when
// the receiver holds fewer bytes than its trigger level, the character timeout must be seen when
// it expires, not a whole kPollNs later.
uint64_t Uart16550::next_poll_delay(size_t taken) const {
  const uint64_t ct = char_time_ns();
  uint64_t delay = taken ? std::min<uint64_t>(kPollNs, taken * ct) : kPollNs;
  if ((fcr_ & kFcrEnable) && !rx_.empty() && rx_.size() < trigger_level()) {
    const uint64_t due = rx_activity_ns_ + kTimeoutChars * ct, now = clock_.now_ns();
    if (due > now) delay = std::min(delay, due - now);  // (once expired, the IRQ is up already)
  }
  return std::max<uint64_t>(delay, 1);
}

void Uart16550::schedule_poll(uint64_t delay_ns) {
  poll_timer_ = clock_.schedule_at(clock_.now_ns() + delay_ns, [this] {
    poll_timer_ = 0;
    poll();
  });
}

unsigned Uart16550::trigger_level() const { return kTriggerLevels[fcr_ >> 6]; }

uint64_t Uart16550::char_time_ns() const {
  const unsigned bits = 1 + (5 + (lcr_ & 3)) + ((lcr_ & 0x08) ? 1 : 0) + ((lcr_ & 0x04) ? 2 : 1);
  const uint64_t divisor = divisor_ ? divisor_ : 0x10000;
  return bits * kSecondNs * 16 * divisor / kClockHz;
}

bool Uart16550::timeout_pending() const {
  return (fcr_ & kFcrEnable) && !rx_.empty() &&
         clock_.now_ns() - rx_activity_ns_ >= kTimeoutChars * char_time_ns();
}

uint8_t Uart16550::pending_interrupt() const {
  const unsigned rda_level = (fcr_ & kFcrEnable) ? trigger_level() : 1;
  if ((ier_ & kIerRls) && line_errors_) return kIirRls;
  if ((ier_ & kIerRda) && rx_.size() >= rda_level) return kIirRda;
  if ((ier_ & kIerRda) && timeout_pending()) return kIirTimeout;
  if ((ier_ & kIerThre) && thre_interrupt_) return kIirThre;
  if ((ier_ & kIerMs) && msr_deltas_) return kIirMs;
  return kIirNone;
}

uint8_t Uart16550::modem_inputs() const {
  if (mcr_ & kMcrLoop) {
    return uint8_t(((mcr_ & kMcrRts) ? kMsrCts : 0) | ((mcr_ & kMcrDtr) ? kMsrDsr : 0) |
                   ((mcr_ & kMcrOut1) ? kMsrRi : 0) | ((mcr_ & kMcrOut2) ? kMsrDcd : 0));
  }
  return backend_ ? kMsrCts | kMsrDsr | kMsrDcd : 0;  // a host connection is "carrier present"
}

void Uart16550::set_modem_control(uint8_t mcr) {
  const uint8_t before = modem_inputs();
  mcr_ = mcr;
  const uint8_t after = modem_inputs(), changed = before ^ after;
  if (changed & kMsrCts) msr_deltas_ |= kMsrDcts;
  if (changed & kMsrDsr) msr_deltas_ |= kMsrDdsr;
  if ((before & kMsrRi) && !(after & kMsrRi)) msr_deltas_ |= kMsrTeri;
  if (changed & kMsrDcd) msr_deltas_ |= kMsrDdcd;
}

void Uart16550::update_irq() {
  irq_.set(pending_interrupt() != kIirNone && (mcr_ & kMcrOut2) && !(mcr_ & kMcrLoop));
}

}  // namespace bt86
