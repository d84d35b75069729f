// The monitor (frontend/monitor*.h): command execution against a real Machine running a tiny
// ROM, driven from a scripted front end inside Machine::run(); -monitor parsing and the
// stdio/serial conflict check; one round trip through the Unix socket channel.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "frontend/cli_options.h"
#include "frontend/monitor.h"
#include "machine/machine.h"

using namespace bt86;

namespace {

// At F000:0000: inc byte [0x500] (counts boots: RAM survives a reset); mov eax, 0x12345678;
// jmp $ (EIP stays 000B). The reset vector jumps there.
std::vector<uint8_t> counting_rom() {
  std::vector<uint8_t> rom(0x10000, 0xF4);
  const uint8_t code[] = {0xFE, 0x06, 0x00, 0x05, 0x66, 0xB8, 0x78, 0x56, 0x34, 0x12, 0xEB, 0xFE};
  std::memcpy(rom.data(), code, sizeof code);
  const uint8_t reset_jump[] = {0xEA, 0x00, 0x00, 0x00, 0xF0};
  std::memcpy(rom.data() + 0xFFF0, reset_jump, sizeof reset_jump);
  return rom;
}
constexpr uint32_t kLoopEip = 0x0A;

MachineOptions rom_options(const std::string& vga = "std") {
  MachineOptions o;
  o.ram_bytes = 2 << 20;
  o.bios_image = counting_rom();
  o.debugcon = "none";
  o.vga = vga;
  o.timeout_s = 10;
  return o;
}

// Runs one step per poll of the run loop; the last step should end the run.
struct ScriptedFrontend : Frontend {
  std::vector<std::function<void(Machine&)>> steps;
  size_t next = 0;
  void poll(Machine& m) override {
    if (next < steps.size()) steps[next++](m);
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("monitor: info registers shows the guest's state; quit ends the run with 0") {
  Machine m(rom_options());
  MonitorSession session(m);
  ScriptedFrontend script;
  std::string regs, jit;
  script.steps = {
      [&](Machine&) {},  // let the guest reach its loop
      [&](Machine&) {
        regs = session.execute("info registers");
        jit = session.execute("  info   jit ");
      },
      [&](Machine&) { CHECK(session.execute("quit").empty()); },
  };
  m.add_frontend(&script);
  CHECK(m.run() == 0);
  CHECK(script.next == 3);
  CHECK(contains(regs, "EAX=12345678"));
  CHECK(contains(regs, "EIP=0000000a"));
  CHECK(contains(regs, "CS =f000 000f0000 0000ffff"));
  CHECK(contains(regs, "CR0=60000010"));  // the reset value: CD NW ET
  CHECK(contains(regs, "GDT="));
  CHECK(contains(regs, "IDT=00000000 ffff"));
  CHECK(contains(jit, "engine: translator"));
  CHECK(contains(jit, "instructions run interpreted"));  // real-mode code: the translator declines it
  CHECK(contains(jit, "guest instructions retired"));
  CHECK(contains(jit, "guest MIPS since start"));
  CHECK(m.cpu().s.eip == kLoopEip);
}

TEST_CASE("monitor: stop pauses the CPU, cont resumes it") {
  Machine m(rom_options());
  MonitorSession session(m);
  ScriptedFrontend script;
  uint64_t at_stop = 0;
  script.steps = {
      [&](Machine&) { session.execute("stop"); },
      [&](Machine& mm) {
        CHECK(mm.paused());
        CHECK(session.execute("info status") == "VM status: paused\n");
        at_stop = mm.cpu().s.icount;
      },
      [&](Machine&) {},
      [&](Machine& mm) {
        CHECK(mm.cpu().s.icount == at_stop);  // nothing ran while paused
        session.execute("c");                     // the alias
      },
      [&](Machine&) {},
      [&](Machine& mm) {
        CHECK_FALSE(mm.paused());
        CHECK(mm.cpu().s.icount > at_stop);
        session.execute("q");
      },
  };
  m.add_frontend(&script);
  CHECK(m.run() == 0);
  CHECK(script.next == script.steps.size());
}

TEST_CASE("monitor: system_reset resets even with -no-reboot (RAM keeps the boot count)") {
  MachineOptions o = rom_options();
  o.no_reboot = true;
  Machine m(o);
  MonitorSession session(m);
  ScriptedFrontend script;
  script.steps = {
      [&](Machine&) {},  // the first poll comes before the guest's first instruction
      [&](Machine& mm) { CHECK(mm.mem().read(0x500, 1) == 1); session.execute("system_reset"); },
      [&](Machine&) {},
      [&](Machine&) { session.execute("quit"); },
  };
  m.add_frontend(&script);
  CHECK(m.run() == 0);
  CHECK(m.mem().read(0x500, 1) == 2);
}

TEST_CASE("monitor: sendkey puts the key's bytes into the 8042 output (translated to set 1)") {
  Machine m(rom_options());
  MonitorSession session(m);
  auto read_60 = [&] { return m.io().in(0x60, 1); };
  auto output_full = [&] { return (m.io().in(0x64, 1) & 1) != 0; };

  CHECK(session.execute("sendkey a 0").empty());
  REQUIRE(output_full());
  CHECK(read_60() == 0x1E);  // make
  REQUIRE(output_full());
  CHECK(read_60() == 0x9E);  // break
  CHECK_FALSE(output_full());

  // A combo with the default hold: the presses now, the releases 100 ms later, in reverse.
  CHECK(session.execute("sendkey ctrl-alt-delete").empty());
  const std::vector<uint32_t> presses = {0x1D, 0x38, 0xE0, 0x53};
  for (uint32_t b : presses) {
    REQUIRE(output_full());
    CHECK(read_60() == b);
  }
  CHECK_FALSE(output_full());
  CHECK(session.keys_pending());
  usleep(120'000);
  session.feed_keys();
  CHECK_FALSE(session.keys_pending());
  const std::vector<uint32_t> releases = {0xE0, 0xD3, 0xB8, 0x9D};
  for (uint32_t b : releases) {
    REQUIRE(output_full());
    CHECK(read_60() == b);
  }

  CHECK(contains(session.execute("sendkey ctrl-nokey"), "unknown key 'nokey'"));
  CHECK(contains(session.execute("sendkey"), "expected KEYS"));
  CHECK(contains(session.execute("sendkey a x"), "HOLD_MS"));
}

TEST_CASE("monitor: sendkey paces long key sequences instead of overflowing the keyboard") {
  Machine m(rom_options());
  MonitorSession session(m);
  // 10 combos of 7 set-2 bytes each: more than the keyboard's 16-byte queue holds.
  for (int i = 0; i < 10; ++i) session.execute("sendkey shift-kp_enter 0");
  CHECK(session.keys_pending());
  std::vector<uint32_t> got;
  for (int guard = 0; guard < 1000 && (session.keys_pending() || (m.io().in(0x64, 1) & 1)); ++guard) {
    if (m.io().in(0x64, 1) & 1) got.push_back(m.io().in(0x60, 1));
    session.feed_keys();
  }
  std::vector<uint32_t> expected;
  for (int i = 0; i < 10; ++i) expected.insert(expected.end(), {0x2A, 0xE0, 0x1C, 0xE0, 0x9C, 0xAA});
  CHECK(got == expected);
}

TEST_CASE("monitor: help, unknown commands and screendump errors are output lines") {
  Machine m(rom_options("none"));
  MonitorSession session(m);
  const std::string help = session.execute("help");
  for (const char* cmd : {"info", "screendump", "sendkey", "stop", "cont", "system_reset", "quit"})
    CHECK(contains(help, std::string("\n") + cmd) );
  CHECK(contains(session.execute("help sendkey"), "ctrl-alt-delete"));
  CHECK(session.execute("frobnicate now") == "unknown command: 'frobnicate' (try 'help')\n");
  CHECK(session.execute("   ").empty());
  CHECK(contains(session.execute("info"), "info registers"));
  CHECK(contains(session.execute("info nothing"), "unknown item 'nothing'"));
  CHECK(contains(session.execute("screendump /tmp/bt86_never.png"), "no display (-vga none)"));
  CHECK(contains(session.execute("screendump"), "expected one argument"));
}

TEST_CASE("-monitor values and the stdio conflict with the serial console") {
  CHECK(parse_monitor_spec("stdio").kind == MonitorSpec::Kind::Stdio);
  CHECK(parse_monitor_spec("none").kind == MonitorSpec::Kind::None);
  const MonitorSpec s = parse_monitor_spec("unix:/tmp/m.sock,server,nowait");
  CHECK(s.kind == MonitorSpec::Kind::UnixServer);
  CHECK(s.path == "/tmp/m.sock");
  CHECK_FALSE(s.wait);
  CHECK(parse_monitor_spec("unix:/tmp/m.sock,server=on").wait);
  CHECK_FALSE(parse_monitor_spec("unix:/tmp/m.sock,server=on,wait=off").wait);
  CHECK_THROWS_WITH_AS(parse_monitor_spec("unix:/tmp/m.sock"), doctest::Contains("server"), MonitorError);
  CHECK_THROWS_AS(parse_monitor_spec("unix:,server"), MonitorError);
  CHECK_THROWS_AS(parse_monitor_spec("tcp:1234"), MonitorError);
  CHECK_THROWS_AS(parse_monitor_spec("unix:/tmp/m.sock,server,bogus"), MonitorError);

  CHECK_THROWS_AS(parse_cli({"-monitor", "tcp:1"}), CliError);
  CHECK_THROWS_WITH_AS(parse_cli({"-nographic", "-monitor", "stdio"}), doctest::Contains("-serial none"), CliError);
  CHECK_THROWS_AS(parse_cli({"-serial", "stdio", "-monitor", "stdio"}), CliError);
  CHECK(parse_cli({"-nographic", "-serial", "none", "-monitor", "stdio"}).monitor == "stdio");
  CHECK(parse_cli({"-nographic", "-serial", "file:/tmp/x", "-monitor", "stdio"}).monitor == "stdio");
  CHECK(parse_cli({"-nographic", "-monitor", "unix:/tmp/m.sock,server,nowait"}).monitor ==
        "unix:/tmp/m.sock,server,nowait");
}

TEST_CASE("monitor over a Unix socket: greeting, prompt, one client at a time") {
  const std::string path = "/tmp/bt86_monitor_test_" + std::to_string(getpid()) + ".sock";
  Machine m(rom_options());
  Monitor monitor(m, parse_monitor_spec("unix:" + path + ",server,nowait"));
  auto connect_client = [&] {
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
  };
  auto receive = [&](int fd) {
    std::string text;
    char buf[4096];
    for (int i = 0; i < 50; ++i) {
      monitor.poll(m);
      const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) text.append(buf, size_t(n));
      if (n == 0 || contains(text, Monitor::kPrompt) || contains(text, "in use")) break;
      usleep(2000);
    }
    return text;
  };
  const int first = connect_client();
  const std::string greeting = receive(first);
  CHECK(contains(greeting, "monitor - type 'help'"));
  CHECK(contains(greeting, "(bt86) "));

  const int second = connect_client();
  CHECK(contains(receive(second), "in use by another client"));
  close(second);

  REQUIRE(send(first, "info status\r\n", 13, 0) == 13);
  CHECK(receive(first) == "VM status: running\n(bt86) ");
  close(first);
  monitor.poll(m);  // notices the client left

  const int third = connect_client();
  CHECK(contains(receive(third), "(bt86) "));
  close(third);
}
