// The 8042 keyboard controller (see i8042.h).
#include "devices/i8042.h"

#include <cstdio>

namespace bt86 {

namespace {

enum : uint8_t {
  kReadRamFirst = 0x20, kReadRamLast = 0x3F, kWriteRamFirst = 0x60, kWriteRamLast = 0x7F,
  kDisableMouse = 0xA7, kEnableMouse = 0xA8, kTestMouse = 0xA9, kSelfTest = 0xAA,
  kTestKeyboard = 0xAB, kDisableKeyboard = 0xAD, kEnableKeyboard = 0xAE, kReadOutputPort = 0xD0,
  kWriteOutputPort = 0xD1, kWriteKbdBuffer = 0xD2, kWriteMouseBuffer = 0xD3, kWriteMouse = 0xD4,
  kDisableA20 = 0xDD, kEnableA20 = 0xDF, kPulseFirst = 0xF0,
};

constexpr uint8_t kSelfTestOk = 0x55;
constexpr uint8_t kInterfaceOk = 0x00;
constexpr uint8_t kBreakPrefix = 0xF0;
// Power-on command byte: both interrupts on, both ports enabled, set 2 -> set 1 translation on
// (the "normal" PC/AT setting every BIOS leaves; a kernel booted directly, with no BIOS run,
// takes what it finds), system flag clear (power-on, not a warm reset).
constexpr uint8_t kInitialCommandByte =
    I8042::kCmdKbdInt | I8042::kCmdMouseInt | I8042::kCmdTranslate;

}  // namespace

I8042::I8042(PhysMem& mem) : mem_(mem) {
  keyboard_.on_output = [this] { refill(); };
  mouse_.on_output = [this] { refill(); };
  reset();
}

void I8042::attach(IoBus& io) {
  io.register_ports(kDataPort, 1, this);
  io.register_ports(kStatusPort, 1, this);
}

void I8042::connect_irqs(IrqSink* sink) {
  kbd_irq_ = IrqLine(sink, kKeyboardIrq);
  mouse_irq_ = IrqLine(sink, kMouseIrq);
}

void I8042::reset() {
  for (uint8_t& b : ram_) b = 0;
  ram_[0] = kInitialCommandByte;
  output_ = 0;
  output_full_ = false;
  output_from_ = Source::Controller;
  last_write_command_ = false;
  pending_command_ = 0;
  translate_break_ = false;
  keyboard_.reset();
  mouse_.reset();
  update_irqs();
}

uint32_t I8042::io_read(uint16_t port, unsigned size) {
  if (port == kStatusPort) {
    uint8_t status = kStatUnlocked;
    if (output_full_) status |= kStatOutputFull;
    if (output_full_ && output_from_ == Source::Mouse) status |= kStatMouseData;
    if (ram_[0] & kCmdSystem) status |= kStatSystem;
    if (last_write_command_) status |= kStatCommand;
    return status;
  }
  const uint8_t value = output_;
  output_full_ = false;
  update_irqs();  // the IRQ line follows OBF: it drops here, so a next byte makes a new edge
  refill();
  return value;
}

void I8042::io_write(uint16_t port, uint32_t value, unsigned size) {
  const uint8_t byte = uint8_t(value);
  last_write_command_ = port == kStatusPort;
  if (port == kStatusPort) {
    pending_command_ = 0;
    controller_command(byte);
  } else if (pending_command_) {
    const uint8_t cmd = pending_command_;
    pending_command_ = 0;
    controller_data(cmd, byte);
  } else {
    keyboard_.write(byte);
  }
}

void I8042::controller_command(uint8_t cmd) {
  if (cmd >= kReadRamFirst && cmd <= kReadRamLast) {
    put_output(ram_[cmd - kReadRamFirst], Source::Controller);
    return;
  }
  if ((cmd >= kWriteRamFirst && cmd <= kWriteRamLast) || cmd == kWriteOutputPort ||
      cmd == kWriteKbdBuffer || cmd == kWriteMouseBuffer || cmd == kWriteMouse) {
    pending_command_ = cmd;
    return;
  }
  if (cmd >= kPulseFirst) {  // low nibble: output port bits pulsed low for 6 us
    if (!(cmd & kOutNotReset) && on_reset_request) on_reset_request();
    return;
  }
  switch (cmd) {
    case kDisableMouse: ram_[0] |= kCmdMouseDisabled; break;
    case kEnableMouse: ram_[0] &= uint8_t(~kCmdMouseDisabled); refill(); break;
    case kTestMouse:
    case kTestKeyboard: put_output(kInterfaceOk, Source::Controller); break;
    case kSelfTest: put_output(kSelfTestOk, Source::Controller); break;
    case kDisableKeyboard: ram_[0] |= kCmdKbdDisabled; break;
    case kEnableKeyboard: ram_[0] &= uint8_t(~kCmdKbdDisabled); refill(); break;
    case kReadOutputPort: put_output(output_port(), Source::Controller); break;
    case kDisableA20: mem_.set_a20(false); break;
    case kEnableA20: mem_.set_a20(true); break;
    default:
      std::fprintf(stderr, "bt86: i8042: unimplemented controller command 0x%02x ignored\n", cmd);
      break;
  }
  update_irqs();
}

void I8042::controller_data(uint8_t cmd, uint8_t data) {
  switch (cmd) {
    case kWriteOutputPort: write_output_port(data); break;
    case kWriteKbdBuffer: put_output(data, Source::Keyboard); break;
    case kWriteMouseBuffer: put_output(data, Source::Mouse); break;
    case kWriteMouse: mouse_.write(data); break;
    default:  // kWriteRamFirst..kWriteRamLast
      ram_[cmd - kWriteRamFirst] = data;
      refill();
      break;
  }
  update_irqs();
}

void I8042::put_output(uint8_t byte, Source from) {
  output_ = byte;
  output_full_ = true;
  output_from_ = from;
  update_irqs();
}

void I8042::refill() {
  while (!output_full_) {
    if (!(ram_[0] & kCmdKbdDisabled) && keyboard_.has_output()) {
      const uint8_t byte = keyboard_.take_output();
      if (!(ram_[0] & kCmdTranslate)) {
        put_output(byte, Source::Keyboard);
      } else if (byte == kBreakPrefix) {
        translate_break_ = true;  // folded into the next byte
      } else {
        put_output(uint8_t(ps2_translate_set2_to_set1(byte) | (translate_break_ ? 0x80 : 0)),
                   Source::Keyboard);
        translate_break_ = false;
      }
    } else if (!(ram_[0] & kCmdMouseDisabled) && mouse_.has_output()) {
      put_output(mouse_.take_output(), Source::Mouse);
    } else {
      break;
    }
  }
}

void I8042::update_irqs() {
  kbd_irq_.set(output_full_ && output_from_ != Source::Mouse && (ram_[0] & kCmdKbdInt));
  mouse_irq_.set(output_full_ && output_from_ == Source::Mouse && (ram_[0] & kCmdMouseInt));
}

uint8_t I8042::output_port() const {
  uint8_t port = kOutNotReset;
  if (mem_.a20()) port |= kOutA20;
  if (output_full_ && output_from_ != Source::Mouse) port |= kOutKbdFull;
  if (output_full_ && output_from_ == Source::Mouse) port |= kOutMouseFull;
  return port;
}

void I8042::write_output_port(uint8_t value) {
  mem_.set_a20((value & kOutA20) != 0);
  if (!(value & kOutNotReset) && on_reset_request) on_reset_request();
}

}  // namespace bt86
