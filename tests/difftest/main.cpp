// bt86_difftest: differential tester of the bt86 interpreter against the host CPU.
//   bt86_difftest [--count N] [--seed S] [--first I] [--max-len L] [--groups alu,shift,...]
//                 [--replay S:I [--prefix N]] [--verbose] [--trace] [--max-reports N] [--no-minimize] [--batch N]
//                 [--runner PATH] [--self-check] [--engine interpreter|translator]
// Exit status: 0 when every sequence matched (or the self-check passed), 1 on any divergence,
// 2 on a usage or setup error. The last line is "difftest: N passed, M failed".
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include "generator.h"
#include "native_oracle.h"
#include "self_check.h"
#include "session.h"

#ifndef BT86_DIFFTEST_RUNNER
#define BT86_DIFFTEST_RUNNER "bt86_difftest_native"
#endif

using namespace difftest;

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: bt86_difftest [--count N] [--seed S] [--first I] [--max-len L] [--groups LIST]\n"
               "                     [--replay SEED:INDEX [--prefix N]] [--verbose] [--trace] [--max-reports N] [--no-minimize]\n"
               "                     [--batch N] [--runner PATH] [--self-check] [--engine interpreter|translator]\n"
               "groups: %s\n",
               group_names().c_str());
}

struct Cli {
  SessionOptions session;
  GeneratorOptions gen;
  std::string runner = BT86_DIFFTEST_RUNNER;
  std::string groups;
  bool self_check = false;
};

uint64_t number(const char* s) {
  char* end = nullptr;
  const uint64_t v = std::strtoull(s, &end, 0);
  if (!*s || *end) throw std::invalid_argument(std::string("not a number: ") + s);
  return v;
}

// Parses the group list into gen.groups; throws on an unknown name.
void select_groups(const std::string& list, GeneratorOptions& gen) {
  size_t pos = 0;
  while (pos <= list.size()) {
    const size_t comma = list.find(',', pos);
    const std::string name = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    bool found = false;
    for (const Group& g : all_groups())
      if (name == g.name) { gen.groups.push_back(&g); found = true; }
    if (!found) throw std::invalid_argument("unknown group: " + name);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
}

Cli parse(int argc, char** argv) {
  Cli c;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    auto value = [&]() -> const char* {
      if (k + 1 >= argc) throw std::invalid_argument("missing value for " + a);
      return argv[++k];
    };
    if (a == "--count") c.session.count = number(value());
    else if (a == "--seed") c.session.seed = number(value());
    else if (a == "--first") c.session.first = number(value());
    else if (a == "--prefix") c.session.prefix = size_t(number(value()));
    else if (a == "--max-len") c.gen.max_len = unsigned(number(value()));
    else if (a == "--groups") c.groups = value();
    else if (a == "--verbose") c.session.verbose = true;
    else if (a == "--trace") c.session.trace = true;
    else if (a == "--max-reports") c.session.max_reports = unsigned(number(value()));
    else if (a == "--no-minimize") c.session.minimize = false;
    else if (a == "--batch") c.session.batch = unsigned(std::max<uint64_t>(1, number(value())));
    else if (a == "--runner") c.runner = value();
    else if (a == "--engine") {
      c.session.engine = value();
      if (c.session.engine != "interpreter" && c.session.engine != "translator")
        throw std::invalid_argument("--engine takes interpreter or translator");
    }
    else if (a == "--self-check") c.self_check = true;
    else if (a == "--replay") {
      const std::string v = value();
      const size_t colon = v.find(':');
      if (colon == std::string::npos) throw std::invalid_argument("--replay takes SEED:INDEX");
      c.session.seed = number(v.substr(0, colon).c_str());
      c.session.first = number(v.substr(colon + 1).c_str());
      c.session.count = 1;
      c.session.verbose = true;
    } else {
      throw std::invalid_argument("unknown option " + a);
    }
  }
  if (!c.groups.empty()) select_groups(c.groups, c.gen);
  // Options that change what a seed:index generates, repeated in replay command lines.
  c.session.replay_args = " --max-len " + std::to_string(c.gen.max_len) + (c.groups.empty() ? "" : " --groups " + c.groups) +
                          " --engine " + c.session.engine;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  Cli cli;
  try {
    cli = parse(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "bt86_difftest: %s\n", e.what());
    usage();
    return 2;
  }
  try {
    NativeOracle oracle(cli.runner);
    cli.gen.low_window = oracle.low_page();
    if (!oracle.low_page())
      std::printf("difftest: note: the runner could not map page 0x%x; 16-bit addressing forms use the data page\n", DT_LOW_ADDR);
    if (cli.self_check) return run_self_check(oracle, cli.gen) == 0 ? 0 : 1;
    Session session(oracle, cli.gen, cli.session);
    const SessionResult r = session.run();
    std::printf("difftest: %llu passed, %llu failed\n", static_cast<unsigned long long>(r.passed),
                static_cast<unsigned long long>(r.failed));
    return r.failed ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bt86_difftest: %s\n", e.what());
    return 2;
  }
}
