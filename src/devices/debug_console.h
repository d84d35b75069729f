// Debug console on port 0xE9 (the Bochs/QEMU "port E9 hack"): every byte the guest writes there
// goes to stdout, to a file, or nowhere. Reading the port returns 0xE9, which is how guests
// detect that the console is present.
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include "devices/device.h"
#include "devices/io_bus.h"

namespace bt86 {

class DebugConsole : public Device {
 public:
  static constexpr uint16_t kPort = 0xE9;

  // `spec` is what -debugcon takes: "stdio", "none" or "file:PATH" (created or truncated).
  // Throws std::runtime_error with a clear message for a bad spec or an unwritable file.
  explicit DebugConsole(const std::string& spec);
  ~DebugConsole() override;
  DebugConsole(const DebugConsole&) = delete;
  DebugConsole& operator=(const DebugConsole&) = delete;

  static bool valid_spec(const std::string& spec);
  void attach(IoBus& io) { io.register_ports(kPort, 1, this); }

  const char* name() const override { return "debug-console"; }
  uint32_t io_read(uint16_t port, unsigned size) override { return kPort; }
  // Writes only the low byte of any access, as QEMU's debugcon does.
  void io_write(uint16_t port, uint32_t value, unsigned size) override;
  void flush();

 private:
  FILE* out_ = nullptr;   // null for "none"
  bool owns_out_ = false; // a file we opened (closed in the destructor)
};

}  // namespace bt86
