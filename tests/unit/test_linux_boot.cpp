// Direct Linux boot (-kernel/-initrd/-append): a fake bzImage (a setup header and a tiny 32-bit
// payload assembled with nasm) runs on a Machine and reports on the debug console what the
// 32-bit boot protocol handed it; bad kernels and missing files give one-line errors.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include "frontend/cli_options.h"
#include "machine/linux_loader.h"
#include "machine/machine.h"

using namespace bt86;

namespace {

// Sets up its own stack, checks what the protocol promises (CS 0x10, DS/ES/SS 0x18, EBX = EDI = EBP = 0, IF = 0), then
// prints "LINUX-OK <cmdline> <first 6 initrd bytes>" on port 0xE9 and exits with the initrd
// size's low byte through port 0xF4 (0xEE if a promise was broken).
const char* kPayloadAsm = R"(
bits 32
org 0x100000
  mov esp, 0x90000            ; the protocol gives no stack
  mov ax, cs
  cmp ax, 0x10
  jne bad
  mov ax, ds
  cmp ax, 0x18
  jne bad
  mov ax, es
  cmp ax, 0x18
  jne bad
  mov ax, ss
  cmp ax, 0x18
  jne bad
  mov eax, ebx
  or eax, edi
  or eax, ebp
  jnz bad
  pushfd
  pop eax
  test eax, 0x200
  jnz bad
  mov dx, 0xE9
  mov ebx, hello
  call puts
  mov ebx, [esi + 0x228]      ; cmd_line_ptr
  call puts
  mov al, ' '
  out dx, al
  mov ebx, [esi + 0x218]      ; ramdisk_image
  mov ecx, 6
.initrd:
  mov al, [ebx]
  out dx, al
  inc ebx
  loop .initrd
  mov eax, [esi + 0x21C]      ; ramdisk_size
  out 0xF4, al
  hlt
bad:
  mov al, 0xEE
  out 0xF4, al
  hlt
puts:
  mov al, [ebx]
  test al, al
  jz .done
  out dx, al
  inc ebx
  jmp puts
.done:
  ret
hello: db "LINUX-OK ", 0
)";

std::string temp_path(const char* tag) {
  char name[] = "/tmp/bt86_lboot_XXXXXX";
  int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  close(fd);
  return std::string(name) + tag;
}

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

std::vector<uint8_t> assemble(const std::string& src) {
  const std::string asm_path = temp_path(".asm"), bin_path = temp_path(".bin");
  std::ofstream(asm_path) << src;
  const std::string cmd = "nasm -f bin -o " + bin_path + " " + asm_path + " 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::vector<uint8_t> bin = read_all(bin_path);
  std::remove(asm_path.c_str());
  std::remove(bin_path.c_str());
  return bin;
}

template <class T> void put(std::vector<uint8_t>& v, size_t off, T x) { std::memcpy(v.data() + off, &x, sizeof x); }

// A bzImage: boot sector + one setup sector holding the setup header, then the payload.
std::vector<uint8_t> fake_bzimage(uint16_t version = 0x020F) {
  std::vector<uint8_t> img(2 * 512, 0);
  img[0x1F1] = 1;                           // setup_sects
  put<uint16_t>(img, 0x1FE, 0xAA55);        // boot_flag
  img[0x200] = 0xEB;                        // jmp short to the end of the header
  img[0x201] = 0x66;                        // header ends at 0x268
  std::memcpy(img.data() + 0x202, "HdrS", 4);
  put<uint16_t>(img, 0x206, version);
  img[0x211] = 0x01;                        // loadflags: LOADED_HIGH
  put<uint32_t>(img, 0x214, 0x100000);      // code32_start
  put<uint32_t>(img, 0x22C, 0x7FFFFFFF);    // initrd_addr_max
  put<uint32_t>(img, 0x238, 2047);          // cmdline_size
  const std::vector<uint8_t> payload = assemble(kPayloadAsm);
  img.insert(img.end(), payload.begin(), payload.end());
  return img;
}

std::string load_error(const std::vector<uint8_t>& image) {
  try {
    parse_linux_kernel(image, "-kernel 'k'");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

MachineOptions linux_options(const std::string& kernel, const std::string& initrd, const std::string& append) {
  MachineOptions o;
  o.ram_bytes = 32u << 20;
  o.bios_image.assign(0x10000, 0xF4);  // never runs
  o.vga = "none";
  o.timeout_s = 5;
  o.kernel = kernel;
  o.initrd = initrd;
  o.append = append;
  return o;
}

}  // namespace

TEST_CASE("linux boot: the fake bzImage runs with its command line and initrd") {
  const std::string kernel = temp_path(".bzImage"), initrd = temp_path(".initrd"), log = temp_path(".log");
  const std::vector<uint8_t> image = fake_bzimage();
  std::ofstream(kernel, std::ios::binary).write(reinterpret_cast<const char*>(image.data()), image.size());
  std::vector<uint8_t> rd(5000, 0x5A);
  std::memcpy(rd.data(), "INITRD", 6);
  std::ofstream(initrd, std::ios::binary).write(reinterpret_cast<const char*>(rd.data()), rd.size());

  MachineOptions o = linux_options(kernel, initrd, "console=ttyS0 quiet");
  o.debugcon = "file:" + log;
  int code = -1;
  uint32_t initrd_at = 0, e820_entries = 0, loader = 0, ram_top = 0;
  {
    Machine m(o);
    code = m.run();
    m.mem().copy_from(linux_layout::kZeroPage + boot_hdr::kRamdiskImage, &initrd_at, 4);
    m.mem().copy_from(linux_layout::kZeroPage + boot_hdr::kE820Entries, &e820_entries, 1);
    m.mem().copy_from(linux_layout::kZeroPage + boot_hdr::kTypeOfLoader, &loader, 1);
    uint64_t last[2];
    m.mem().copy_from(linux_layout::kZeroPage + boot_hdr::kE820Table + 3 * 20, last, 16);
    ram_top = uint32_t(last[0] + last[1]);
  }
  CHECK(code == (5000 & 0xFF));
  const std::vector<uint8_t> out = read_all(log);
  CHECK(std::string(out.begin(), out.end()) == "LINUX-OK console=ttyS0 quiet INITRD");
  CHECK(initrd_at == ((32u << 20) - 5000) / 4096 * 4096);  // as high as RAM allows, page-aligned
  CHECK(e820_entries == 4);
  CHECK(loader == 0xFF);
  CHECK(ram_top == (32u << 20));
  for (const std::string& p : {kernel, initrd, log}) std::remove(p.c_str());
}

TEST_CASE("linux boot: initrd_addr_max caps the initrd address; no initrd gives zeros") {
  std::vector<uint8_t> image = fake_bzimage();
  put<uint32_t>(image, 0x22C, 0x00FFFFFF);  // below 16 MiB
  LinuxLoader capped(image, std::vector<uint8_t>(0x2800, 1), "", 64u << 20);
  CHECK(capped.initrd_addr() == 0x1000000 - 0x3000);
  LinuxLoader none(image, {}, "", 64u << 20);
  CHECK(none.initrd_addr() == 0);
}

TEST_CASE("linux boot: bad kernels are rejected with a clear message") {
  const std::vector<uint8_t> good = fake_bzimage();
  CHECK(load_error(good) == "");
  CHECK(load_error(std::vector<uint8_t>(100, 0)).find("too small to be a Linux kernel") != std::string::npos);
  std::vector<uint8_t> no_magic = good;
  no_magic[0x202] = 'X';
  CHECK(load_error(no_magic) == "-kernel 'k': not a Linux x86 kernel image (no \"HdrS\" setup header)");
  CHECK(load_error(fake_bzimage(0x0201)) == "-kernel 'k': boot protocol 2.01 is too old (2.02 or later needed)");
  std::vector<uint8_t> zimage = good;
  zimage[0x211] = 0;
  CHECK(load_error(zimage).find("zImage") != std::string::npos);
  std::vector<uint8_t> truncated(good.begin(), good.begin() + 1024);
  CHECK(load_error(truncated).find("truncated") != std::string::npos);
}

TEST_CASE("linux boot: missing files, too long command lines and too little RAM are errors") {
  auto machine_error = [](const MachineOptions& o) -> std::string {
    try {
      Machine m(o);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  };
  CHECK(machine_error(linux_options("/nonexistent/bzImage", "", "")) == "-kernel '/nonexistent/bzImage': No such file or directory");
  const std::string kernel = temp_path(".bzImage");
  const std::vector<uint8_t> image = fake_bzimage();
  std::ofstream(kernel, std::ios::binary).write(reinterpret_cast<const char*>(image.data()), image.size());
  CHECK(machine_error(linux_options(kernel, "/nonexistent/initrd", "")) == "-initrd '/nonexistent/initrd': No such file or directory");
  CHECK(machine_error(linux_options(kernel, "", std::string(3000, 'x'))).find("longer than the kernel accepts") != std::string::npos);
  std::remove(kernel.c_str());
  CHECK_THROWS_AS(LinuxLoader(image, std::vector<uint8_t>(2u << 20), "", 2u << 20), std::runtime_error);
}

TEST_CASE("linux boot: command-line options") {
  CliOptions o = parse_cli({"-kernel", "bz", "-initrd", "rd", "-append", "console=ttyS0"});
  CHECK(o.machine.kernel == "bz");
  CHECK(o.machine.initrd == "rd");
  CHECK(o.machine.append == "console=ttyS0");
  CHECK_THROWS_AS(parse_cli({"-initrd", "rd"}), CliError);
  CHECK_THROWS_AS(parse_cli({"-append", "x"}), CliError);
}
