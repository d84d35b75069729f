// What the keyboard and the mouse behind the 8042 share: a PS/2 device receives bytes from the
// controller (commands, some followed by one argument byte) and answers through a small output
// queue that the controller drains one byte at a time. Every command is acknowledged with 0xFA;
// an unknown command gets 0xFE (resend), as real devices answer.
#pragma once
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <functional>

namespace bt86 {

class Ps2Device {
 public:
  static constexpr uint8_t kAck = 0xFA;
  static constexpr uint8_t kResend = 0xFE;
  static constexpr uint8_t kSelfTestPassed = 0xAA;
  static constexpr size_t kQueueLimit = 16;

  virtual ~Ps2Device() = default;
  virtual void reset() = 0;  // power-on state (no bytes sent)

  // A byte from the controller: an argument if the last command wants one, else a command.
  void write(uint8_t byte) {
    if (awaiting_arg_) {
      const uint8_t cmd = awaiting_arg_;
      awaiting_arg_ = 0;
      on_argument(cmd, byte);
    } else {
      on_command(byte);
    }
  }
  bool has_output() const { return !queue_.empty(); }
  size_t queued() const { return queue_.size(); }
  uint8_t take_output() {
    const uint8_t b = queue_.front();
    queue_.pop_front();
    return b;
  }

  // Called whenever bytes were queued, so the controller can move one into its buffer.
  std::function<void()> on_output;

 protected:
  virtual void on_command(uint8_t cmd) = 0;
  virtual void on_argument(uint8_t cmd, uint8_t arg) = 0;
  void expect_argument(uint8_t cmd) { awaiting_arg_ = cmd; }
  void clear_state() {
    queue_.clear();
    awaiting_arg_ = 0;
  }
  // Queues bytes (dropping what does not fit), then notifies the controller.
  void send(std::initializer_list<uint8_t> bytes) {
    for (uint8_t b : bytes) {
      if (queue_.size() < kQueueLimit) queue_.push_back(b);
      last_sent_ = b;
    }
    if (on_output) on_output();
  }
  void resend() { send({last_sent_}); }  // host command 0xFE
  size_t room() const { return kQueueLimit - queue_.size(); }

 private:
  std::deque<uint8_t> queue_;
  uint8_t awaiting_arg_ = 0;  // the command whose argument comes next, 0 for none
  uint8_t last_sent_ = 0;
};

}  // namespace bt86
