// Debug console (port 0xE9): guest bytes to a file or nowhere, presence read-back, spec checks.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "devices/debug_console.h"
#include "devices/io_bus.h"

using namespace bt86;

namespace {
std::string temp_path(const char* tag) {
  return "/tmp/bt86_test_" + std::string(tag) + "_" + std::to_string(getpid());
}
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("DebugConsole writes the low byte of each write to its file") {
  const std::string path = temp_path("debugcon");
  {
    IoBus io;
    DebugConsole con("file:" + path);
    con.attach(io);
    for (char c : std::string("Hi!\n")) io.out(0xE9, uint8_t(c), 1);
    io.out(0xE9, 0x4241, 2);  // word write: only 'A'
    CHECK(slurp(path) == "Hi!\n");  // flushed at the newline
    CHECK(io.in(0xE9, 1) == 0xE9);  // presence check, as on Bochs/QEMU
  }
  CHECK(slurp(path) == "Hi!\nA");
  std::remove(path.c_str());
}

TEST_CASE("DebugConsole specs: stdio, none, file:PATH; bad ones are refused") {
  CHECK(DebugConsole::valid_spec("stdio"));
  CHECK(DebugConsole::valid_spec("none"));
  CHECK(DebugConsole::valid_spec("file:/tmp/x"));
  CHECK_FALSE(DebugConsole::valid_spec("file:"));
  CHECK_FALSE(DebugConsole::valid_spec("tcp:1234"));
  CHECK_FALSE(DebugConsole::valid_spec(""));
  CHECK_THROWS_AS(DebugConsole("serial"), std::runtime_error);
  CHECK_THROWS_AS(DebugConsole("file:/nonexistent-dir/x"), std::runtime_error);
  DebugConsole none("none");
  none.io_write(0xE9, 'x', 1);  // discarded, no crash
  CHECK(none.io_read(0xE9, 1) == 0xE9);
}
