// The monitor's line transport: standard input/output, or a Unix socket server that serves one
// client at a time (a second client is told the monitor is busy and disconnected; when the
// client leaves, the next one may connect). All I/O is non-blocking and driven by poll(), from
// the run loop's Frontend::poll: no threads. Standard input is left in the terminal's canonical
// mode, so the terminal does the line editing and echo.
#pragma once
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bt86 {

// A monitor that cannot be set up (bad -monitor value, socket errors); what() is for the user.
class MonitorError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class MonitorChannel {
 public:
  static constexpr size_t kMaxLine = 4096;         // longer input lines are cut
  static constexpr size_t kMaxPendingOutput = 1 << 20;  // a client that stops reading loses output

  // Standard input and output.
  static std::unique_ptr<MonitorChannel> open_stdio();
  // A listening Unix socket at `path` (an old socket file there is replaced; any other file is
  // an error). With `wait`, blocks until the first client connects, as QEMU's server,wait.
  static std::unique_ptr<MonitorChannel> open_unix_server(const std::string& path, bool wait);

  ~MonitorChannel();
  MonitorChannel(const MonitorChannel&) = delete;
  MonitorChannel& operator=(const MonitorChannel&) = delete;

  struct Input {
    bool new_client = false;         // a client connected (stdio: the first poll), greet it
    std::vector<std::string> lines;  // complete lines that arrived, without line ends
  };
  // Accepts a waiting client, reads what arrived and sends pending output.
  Input poll();
  // Queues text for the current client (dropped when none is connected) and sends what it can.
  void write(std::string_view text);

 private:
  MonitorChannel() = default;
  void accept_clients(Input& in);
  void read_input(Input& in);
  void flush();
  void drop_client();

  int listen_fd_ = -1;          // the socket server's, else -1
  int in_fd_ = -1, out_fd_ = -1;  // the client (or stdin/stdout); -1 when none
  bool is_socket_ = false;
  bool greeted_stdio_ = false;
  std::string socket_path_;     // removed again when the channel closes
  std::string partial_line_, pending_output_;
};

}  // namespace bt86
