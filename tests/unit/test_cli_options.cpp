// Command-line parsing: good options fill MachineOptions, mistakes raise CliError with a message.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "frontend/cli_options.h"

using namespace bt86;

namespace {
CliOptions parse(std::vector<std::string> args) { return parse_cli(args); }
}  // namespace

TEST_CASE("CLI defaults") {
  const CliOptions o = parse({});
  CHECK(o.action == CliOptions::Action::Run);
  CHECK(o.machine.ram_bytes == 128ull << 20);
  CHECK(o.machine.bios_path == "/usr/share/seabios/bios.bin");
  CHECK(o.machine.debugcon == "stdio");
  CHECK_FALSE(o.machine.no_reboot);
  CHECK_FALSE(o.machine.print_stats);
  CHECK(o.machine.timeout_s == 0);
  CHECK(o.machine.trace_path.empty());
  CHECK_FALSE(o.machine.trace.in_asm);
}

TEST_CASE("CLI: a full command line") {
  const CliOptions o = parse({"-m", "512M", "-bios", "prog.bin", "-nographic", "-display", "none",
                              "-d", "in_asm,int", "-D", "trace.txt", "-no-reboot",
                              "-debugcon", "file:out.txt", "-timeout", "2.5", "--stats"});
  CHECK(o.action == CliOptions::Action::Run);
  CHECK(o.machine.ram_bytes == 512ull << 20);
  CHECK(o.machine.bios_path == "prog.bin");
  CHECK(o.machine.trace.in_asm);
  CHECK(o.machine.trace.intr);
  CHECK_FALSE(o.machine.trace.cpu);
  CHECK_FALSE(o.machine.trace.exec);
  CHECK(o.machine.trace_path == "trace.txt");
  CHECK(o.machine.no_reboot);
  CHECK(o.machine.debugcon == "file:out.txt");
  CHECK(o.machine.timeout_s == doctest::Approx(2.5));
  CHECK(o.machine.print_stats);
}

TEST_CASE("CLI -m sizes") {
  CHECK(parse_ram_size("64") == 64ull << 20);
  CHECK(parse_ram_size("64m") == 64ull << 20);
  CHECK(parse_ram_size("2G") == 2ull << 30);
  CHECK(parse_ram_size("3584") == 3584ull << 20);
  for (const char* bad : {"", "0", "-5", "abc", "12K", "4G", "3585", "1.5G", "128MB", "99999999999999999999"})
    CHECK_THROWS_AS(parse_ram_size(bad), CliError);
}

TEST_CASE("CLI -d items and help actions") {
  TraceConfig t;
  parse_trace_items("cpu,exec", t);
  CHECK(t.cpu);
  CHECK(t.exec);
  CHECK_FALSE(t.in_asm);
  CHECK_THROWS_AS(parse_trace_items("cpu,bogus", t), CliError);
  CHECK_THROWS_AS(parse_trace_items("", t), CliError);
  CHECK_THROWS_AS(parse_trace_items("cpu,", t), CliError);
  CHECK(parse({"-d", "help"}).action == CliOptions::Action::TraceHelp);
  CHECK(parse({"-h"}).action == CliOptions::Action::Help);
  CHECK(parse({"--help"}).action == CliOptions::Action::Help);
  CHECK(parse({"-version"}).action == CliOptions::Action::Version);
  CHECK(trace_items_help().find("in_asm") != std::string::npos);
}

TEST_CASE("CLI mistakes are CliErrors with a useful message") {
  auto message_of = [](std::vector<std::string> args) -> std::string {
    try {
      parse_cli(args);
    } catch (const CliError& e) {
      return e.what();
    }
    return "(accepted)";
  };
  CHECK(message_of({"-frobnicate"}).find("unknown option '-frobnicate'") != std::string::npos);
  CHECK(message_of({"-m"}).find("needs an argument") != std::string::npos);
  CHECK(message_of({"disk.img"}).find("unexpected argument") != std::string::npos);
  CHECK(message_of({"-display", "gtk"}).find("expected sdl or none") != std::string::npos);
  CHECK(message_of({"-debugcon", "tcp:1"}).find("file:PATH") != std::string::npos);
  CHECK(message_of({"-timeout", "0"}).find("positive") != std::string::npos);
  CHECK(message_of({"-timeout", "1s"}).find("positive") != std::string::npos);
  CHECK(message_of({"-m", "0"}).find("RAM size") != std::string::npos);
  CHECK(message_of({"-d", "nope"}).find("unknown trace item 'nope'") != std::string::npos);
  CHECK(message_of({"-"}).find("unexpected argument") != std::string::npos);
}

TEST_CASE("CLI usage lists every option") {
  const std::string usage = cli_usage();
  for (const char* opt : {"-m SIZE", "-bios FILE", "-nographic", "-display TYPE", "-d ITEMS",
                          "-D FILE", "-debugcon SPEC", "-no-reboot", "-timeout SECONDS", "-stats",
                          "-h", "-version"})
    CHECK_MESSAGE(usage.find(opt) != std::string::npos, opt);
}
