// DiskImage: reads and writes of raw image files, read-only refusal, -snapshot overlay semantics
// and clear errors for unusable files.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "devices/disk_image.h"
#include "ide_test_util.h"

using namespace bt86;
using bt86::test::pattern_byte;
using bt86::test::TempImage;

TEST_CASE("DiskImage reads and writes the file in read-write mode") {
  TempImage file("rw", 4096);
  {
    DiskImage img(file.path(), DiskImage::Mode::ReadWrite, "-hda");
    CHECK(img.size_bytes() == 4096);
    uint8_t buf[3];
    REQUIRE(img.read(1000, buf, 3));
    CHECK(buf[0] == pattern_byte(1000));
    CHECK(buf[2] == pattern_byte(1002));
    const uint8_t data[4] = {1, 2, 3, 4};
    REQUIRE(img.write(510, data, 4));  // crosses a 512-byte boundary
    CHECK(img.flush());
    CHECK_FALSE(img.read(4094, buf, 3));  // past the end
    CHECK_FALSE(img.write(4095, data, 2));
  }
  const auto bytes = file.contents();
  CHECK(bytes[509] == pattern_byte(509));
  CHECK(bytes[510] == 1);
  CHECK(bytes[513] == 4);
  CHECK(bytes[514] == pattern_byte(514));
}

TEST_CASE("DiskImage snapshot mode keeps writes in memory and leaves the file unchanged") {
  TempImage file("snap", 3000);  // the last 512-byte block is partial
  const auto before = file.contents();
  DiskImage img(file.path(), DiskImage::Mode::Snapshot, "-hda");
  CHECK(img.writable());
  std::vector<uint8_t> data(700, 0xAB);
  REQUIRE(img.write(400, data.data(), data.size()));
  const uint8_t tail[2] = {0x11, 0x22};
  REQUIRE(img.write(2998, tail, 2));
  std::vector<uint8_t> back(3000);
  REQUIRE(img.read(0, back.data(), back.size()));
  for (size_t i = 0; i < back.size(); ++i) {
    const uint8_t want = (i >= 400 && i < 1100) ? 0xAB : i == 2998 ? 0x11 : i == 2999 ? 0x22 : pattern_byte(i);
    if (back[i] != want) FAIL("byte " << i << " is " << int(back[i]) << ", want " << int(want));
  }
  CHECK(img.flush());
  CHECK(file.contents() == before);
}

TEST_CASE("DiskImage read-only mode refuses writes") {
  TempImage file("ro", 2048);
  DiskImage img(file.path(), DiskImage::Mode::ReadOnly, "-cdrom");
  CHECK_FALSE(img.writable());
  const uint8_t b = 0;
  CHECK_FALSE(img.write(0, &b, 1));
  uint8_t r = 0;
  CHECK(img.read(2047, &r, 1));
  CHECK(r == pattern_byte(2047));
}

TEST_CASE("DiskImage reports missing, empty and non-regular files clearly") {
  auto message = [](const std::string& path) {
    try {
      DiskImage img(path, DiskImage::Mode::ReadWrite, "-hdb");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string missing = message("/tmp/bt86_no_such_image.img");
  CHECK(missing.find("-hdb") == 0);
  CHECK(missing.find("/tmp/bt86_no_such_image.img") != std::string::npos);
  CHECK(missing.find("No such file") != std::string::npos);
  CHECK(message("/tmp").find("-hdb") == 0);
  TempImage empty("empty", 0);
  CHECK(message(empty.path()).find("empty") != std::string::npos);
}

TEST_CASE("DiskImage locks images as QEMU does: a writer excludes every other user, readers share") {
  using Mode = DiskImage::Mode;
  TempImage file("lock", 4096);
  auto error_opening = [&](Mode mode) {
    try {
      DiskImage img(file.path(), mode, "-hdb");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  {
    DiskImage writer(file.path(), Mode::ReadWrite, "-hda");
    CHECK(error_opening(Mode::ReadWrite) ==
          "-hdb: cannot use image '" + file.path() +
              "': failed to get \"write\" lock (is another process or drive option using the image?)");
    CHECK(error_opening(Mode::ReadOnly).find("failed to get shared \"write\" lock") != std::string::npos);
    CHECK(error_opening(Mode::Snapshot).find("failed to get shared \"write\" lock") != std::string::npos);
  }
  {  // the writer is gone: its locks went with it
    DiskImage cd(file.path(), Mode::ReadOnly, "-cdrom");
    DiskImage snapshot(file.path(), Mode::Snapshot, "-hda");  // readers share
    CHECK(error_opening(Mode::ReadOnly).empty());
    CHECK(error_opening(Mode::ReadWrite).find("failed to get \"write\" lock") != std::string::npos);
  }
  CHECK(error_opening(Mode::ReadWrite).empty());
}
