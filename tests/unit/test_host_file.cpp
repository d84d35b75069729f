// Checked host files (devices/host_file.h): inputs must be regular files (or block devices where
// allowed) within a size limit, and neither inputs nor outputs may block in open() on a FIFO.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "devices/host_file.h"

using namespace bt86;

namespace {

// A fresh directory with a FIFO and a small file in it; removed at the end.
struct TempDir {
  std::string dir;
  TempDir() {
    char name[] = "/tmp/bt86_host_file_XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    dir = name;
    REQUIRE(mkfifo(fifo().c_str(), 0600) == 0);
    std::ofstream(file()) << "hello";
  }
  ~TempDir() {
    std::remove(fifo().c_str());
    std::remove(file().c_str());
    std::remove((dir + "/out.txt").c_str());
    rmdir(dir.c_str());
  }
  std::string fifo() const { return dir + "/fifo"; }
  std::string file() const { return dir + "/file"; }
};

std::string input_error(const std::string& path, const InputFileRules& rules) {
  try {
    read_input_file(path, rules);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string output_error(const std::string& path) {
  try {
    FILE* f = open_output_file(path, "-D");
    std::fclose(f);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("read_input_file: a regular file within the limit is read whole") {
  TempDir t;
  CHECK(read_input_file(t.file(), {"-kernel", 5}) == std::vector<uint8_t>{'h', 'e', 'l', 'l', 'o'});
  HostFile f = open_input_file(t.file(), {"-kernel"});
  CHECK(f.fd() >= 0);
  CHECK(f.size() == 5);
}

TEST_CASE("read_input_file: /dev/zero, a FIFO and a directory are refused at once, by name") {
  TempDir t;
  const auto start = std::chrono::steady_clock::now();
  CHECK(input_error("/dev/zero", {"-kernel"}) == "-kernel '/dev/zero': is a character device, not a regular file");
  CHECK(input_error(t.fifo(), {"-initrd"}) == "-initrd '" + t.fifo() + "': is a FIFO (named pipe), not a regular file");
  CHECK(input_error(t.dir, {"-kernel"}) == "-kernel '" + t.dir + "': is a directory");
  InputFileRules disk{"-cdrom: cannot use image"};
  disk.block_device = true;
  CHECK(input_error(t.fifo(), disk) ==
        "-cdrom: cannot use image '" + t.fifo() + "': is a FIFO (named pipe), not a regular file or block device");
  disk.read_write = true;
  CHECK(input_error("/dev/zero", disk).find("is a character device") != std::string::npos);
  CHECK(input_error(t.dir + "/missing", {"VGA BIOS"}) == "VGA BIOS '" + t.dir + "/missing': No such file or directory");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));  // nothing waited
}

TEST_CASE("read_input_file: a file over the limit is refused before it is read") {
  TempDir t;
  CHECK(input_error(t.file(), {"VGA BIOS", 4, "the VGA's ROM BAR"}) ==
        "VGA BIOS '" + t.file() + "': too big: 5 bytes, at most 4 bytes (the VGA's ROM BAR)");
  const std::string big = t.dir + "/big";
  std::ofstream(big) << std::string(4096, 'x');
  CHECK(input_error(big, {"-initrd", 2048, "the guest RAM"}) ==
        "-initrd '" + big + "': too big: 4096 bytes, at most 2 KiB (the guest RAM)");
  CHECK(read_input_file(big, {"-initrd", 4096}).size() == 4096);
  std::remove(big.c_str());
}

TEST_CASE("open_output_file: a FIFO nobody reads and a directory are errors, /dev/null is fine") {
  TempDir t;
  const auto start = std::chrono::steady_clock::now();
  CHECK(output_error(t.fifo()) == "-D '" + t.fifo() + "': is a FIFO (named pipe) that no process reads");
  CHECK(output_error(t.dir).find("-D '" + t.dir + "': is a directory") == 0);
  CHECK(output_error("/dev/null") == "(accepted)");
  CHECK(output_error(t.dir + "/out.txt") == "(accepted)");
  CHECK(output_error(t.dir + "/no/such/dir.txt") == "-D '" + t.dir + "/no/such/dir.txt': No such file or directory");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("open_output_file: write errors (/dev/full) are reported once on stderr, the writer goes on") {
  TempDir t;
  const std::string captured = t.dir + "/stderr.txt";
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  FILE* capture = std::fopen(captured.c_str(), "w");
  REQUIRE(capture != nullptr);
  dup2(fileno(capture), STDERR_FILENO);
  FILE* f = open_output_file("/dev/full", "-debugcon");
  for (int i = 0; i < 3; ++i) {
    std::fputs("a line\n", f);
    CHECK(std::fflush(f) == 0);  // dropped, not an error that stops the caller
  }
  CHECK_FALSE(std::ferror(f));
  std::fclose(f);
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::fclose(capture);
  std::ifstream in(captured);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "bt86: -debugcon '/dev/full': write failed: No space left on device\n");
  std::remove(captured.c_str());
}
