// Debug console on port 0xE9 (see debug_console.h). Output is flushed at each newline so a log
// file or a terminal shows guest lines as they are written.
#include "devices/debug_console.h"

#include <stdexcept>

#include "devices/host_file.h"

namespace bt86 {

namespace {
constexpr const char kFilePrefix[] = "file:";
constexpr size_t kFilePrefixLen = sizeof kFilePrefix - 1;
}  // namespace

bool DebugConsole::valid_spec(const std::string& spec) {
  return spec == "stdio" || spec == "none" ||
         (spec.compare(0, kFilePrefixLen, kFilePrefix) == 0 && spec.size() > kFilePrefixLen);
}

DebugConsole::DebugConsole(const std::string& spec) {
  if (!valid_spec(spec))
    throw std::runtime_error("-debugcon '" + spec + "': expected stdio, none or file:PATH");
  if (spec == "stdio") {
    out_ = stdout;
  } else if (spec != "none") {
    const std::string path = spec.substr(kFilePrefixLen);
    out_ = open_output_file(path, "-debugcon");  // throws with a one-line message
    owns_out_ = true;
  }
}

DebugConsole::~DebugConsole() {
  if (owns_out_) std::fclose(out_);
  else flush();
}

void DebugConsole::io_write(uint16_t port, uint32_t value, unsigned size) {
  if (!out_) return;
  const int ch = int(value & 0xFF);
  std::fputc(ch, out_);
  if (ch == '\n') std::fflush(out_);
}

void DebugConsole::flush() {
  if (out_) std::fflush(out_);
}

}  // namespace bt86
