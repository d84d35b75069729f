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

// The CliError message parsing `args` gives, or "(accepted)".
static std::string message_of(std::vector<std::string> args) {
  try {
    parse_cli(args);
  } catch (const CliError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST_CASE("CLI mistakes are CliErrors with a useful message") {
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

TEST_CASE("CLI -lockstep: on request, with -snapshot") {
  CHECK_FALSE(parse({}).machine.lockstep);
  const MachineOptions m = parse({"-lockstep", "-icount", "2"}).machine;
  CHECK(m.lockstep);
  CHECK(m.snapshot);  // the reference machine must not write the images either
}

TEST_CASE("CLI usage lists every option") {
  const std::string usage = cli_usage();
  for (const char* opt : {"-m SIZE", "-bios FILE", "-nographic", "-display TYPE", "-d ITEMS",
                          "-D FILE", "-debugcon SPEC", "-no-reboot", "-timeout SECONDS", "-stats", "-lockstep",
                          "-h", "-version"})
    CHECK_MESSAGE(usage.find(opt) != std::string::npos, opt);
}

TEST_CASE("CLI -icount: QEMU's syntax, wall-clock time by default") {
  CHECK_FALSE(parse({}).machine.icount.enabled);
  IcountOptions ic = parse({"-icount", "shift=3"}).machine.icount;
  CHECK(ic.enabled);
  CHECK(ic.shift == 3);
  CHECK(ic.sleep);  // QEMU's default
  ic = parse({"-icount", "shift=0,sleep=off"}).machine.icount;
  CHECK(ic.enabled);
  CHECK(ic.shift == 0);
  CHECK_FALSE(ic.sleep);
  ic = parse({"--icount", "10"}).machine.icount;  // -icount N is shift=N
  CHECK(ic.shift == 10);
  ic = parse_icount("2,sleep=on");
  CHECK(ic.shift == 2);
  CHECK(ic.sleep);
  CHECK(parse_icount("sleep=off,shift=1").shift == 1);
  for (const char* bad : {"", "foo", "shift=", "shift=11", "shift=99", "shift=-1", "shift=3x",
                          "shift=auto", "sleep=off", "shift=2,sleep=maybe", "shift=2,align=on",
                          "shift=2,rr=record", "shift=2,bogus=1", "3,4", "shift=2,"})
    CHECK_THROWS_AS_MESSAGE(parse_icount(bad), CliError, bad);
}

TEST_CASE("CLI -rtc: base=utc (default), localtime or a date; clock=vm") {
  CHECK(parse({}).machine.rtc_base == RtcBase::Utc);
  CHECK(parse({"-rtc", "base=localtime"}).machine.rtc_base == RtcBase::LocalTime);
  CHECK(parse({"-rtc", "base=localtime,base=utc"}).machine.rtc_base == RtcBase::Utc);
  MachineOptions m = parse({"-rtc", "base=2006-06-17T16:01:21"}).machine;
  CHECK(m.rtc_base == RtcBase::Fixed);
  CHECK(m.rtc_start_s == 1150560081);  // date -u -d 2006-06-17T16:01:21 +%s
  m = parse({"-rtc", "clock=vm,base=2006-06-17"}).machine;
  CHECK(m.rtc_base == RtcBase::Fixed);
  CHECK(m.rtc_start_s == 1150502400);  // midnight UTC
  CHECK(parse_rtc_date("1970-01-01") == 0);
  CHECK(parse_rtc_date("2000-02-29T23:59:59") == 951868799);
  CHECK(parse_rtc_date("2099-12-31T23:59:59") == 4102444799);
  CHECK(parse_rtc_date("2006-6-7T1:2:3") == parse_rtc_date("2006-06-07T01:02:03"));
  for (const char* bad : {"2006-13-40", "2006-02-29", "1900-02-29", "2006-04-31", "2006-00-10",
                          "2006-01-00", "1969-12-31", "2100-01-01", "2006-06-17T24:00:00",
                          "2006-06-17T12:60:00", "2006-06-17T12:00:60", "2006-06-17T12:00",
                          "2006-06-17T", "2006-06-17 12:00:00", "06-06-17", "2006/06/17", "now",
                          "2006-06-170", "2006-06-17T12:00:00Z", ""})
    CHECK_THROWS_AS_MESSAGE(parse_rtc_date(bad), CliError, bad);
  CHECK(message_of({"-rtc", "base=2006-13-40"}).find("2006-06-17T16:01:21") != std::string::npos);
  CHECK(message_of({"-rtc", "clock=host"}).find("clock=vm") != std::string::npos);
  CHECK(message_of({"-rtc", "driftfix=slew"}).find("unknown parameter 'driftfix'") != std::string::npos);
  CHECK(message_of({"-rtc", "utc"}).find("key=value") != std::string::npos);
  CHECK(message_of({"-icount", "shift=99"}).find("from 0 to 10") != std::string::npos);
  CHECK(message_of({"-icount", "foo"}).find("from 0 to 10") != std::string::npos);
  CHECK(message_of({"-icount", "sleep=off"}).find("shift=N is required") != std::string::npos);
  CHECK(message_of({"-icount", "shift=auto"}).find("not supported") != std::string::npos);
  CHECK(cli_usage().find("-icount shift=N") != std::string::npos);
  CHECK(cli_usage().find("-rtc base=") != std::string::npos);
}
