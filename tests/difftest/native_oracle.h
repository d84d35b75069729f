// The host side of the native runner: starts the 32-bit runner process, sends batches of test
// cases through a pipe and reads back their results (protocol.h). I/O is multiplexed with poll()
// so batches of any size cannot deadlock on full pipes.
#pragma once
#include <string>
#include <sys/types.h>
#include <vector>
#include "protocol.h"
#include "test_case.h"

namespace difftest {

class NativeOracle {
 public:
  // Starts the runner at `path`; throws std::runtime_error if it cannot start or greet.
  explicit NativeOracle(const std::string& path);
  ~NativeOracle();
  NativeOracle(const NativeOracle&) = delete;
  NativeOracle& operator=(const NativeOracle&) = delete;

  bool low_page() const { return low_page_; }
  // Runs the cases natively; out[k] is the result of *cases[k]. Throws if the runner dies.
  void run(const std::vector<const TestCase*>& cases, std::vector<dt_result>& out);

 private:
  void transfer(const std::vector<uint8_t>& request, uint8_t* reply, size_t reply_len);

  pid_t pid_ = -1;
  int to_runner_ = -1, from_runner_ = -1;
  bool low_page_ = false;
};

}  // namespace difftest
