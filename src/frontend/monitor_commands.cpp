// The monitor's command tables and handlers (see monitor_commands.h).
#include "frontend/monitor_commands.h"
#include "translate/translator.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "cpu/engine.h"
#include "cpu/cpu_trace.h"
#include "frontend/screenshot.h"
#include "machine/machine.h"

namespace bt86 {

namespace {

// The longest set-2 event (an extended break: E0 F0 xx).
constexpr size_t kMaxKeyEventBytes = 3;

double host_now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (true) {
    pos = line.find_first_not_of(" \t\r\n", pos);
    if (pos == std::string_view::npos) return words;
    const size_t end = std::min(line.find_first_of(" \t\r\n", pos), line.size());
    words.emplace_back(line.substr(pos, end - pos));
    pos = end;
  }
}

std::string format(const char* fmt, auto... values) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, values...);
  return buf;
}

// Captures a function's FILE* output as a string (for the shared -d cpu register dump).
template <class Print>
std::string capture(Print print) {
  char* text = nullptr;
  size_t size = 0;
  FILE* f = open_memstream(&text, &size);
  if (!f) return "cannot allocate the output buffer\n";
  print(f);
  std::fclose(f);
  std::string out(text, size);
  std::free(text);
  return out;
}

double mips(uint64_t insns, double seconds) { return seconds > 0 ? double(insns) / seconds / 1e6 : 0; }

}  // namespace

const MonitorSession::Command MonitorSession::kCommands[] = {
    {"help", "?", "[COMMAND]", "list the commands, or show one", &MonitorSession::help},
    {"info", nullptr, "ITEM", "show machine state: 'info' alone lists the items", &MonitorSession::info},
    {"screendump", nullptr, "FILE.png", "save the screen as a PNG image", &MonitorSession::screendump},
    {"sendkey", nullptr, "KEYS [HOLD_MS]",
     "press keys (QEMU names joined by '-', e.g. ctrl-alt-delete) and release them after HOLD_MS "
     "(default 100)",
     &MonitorSession::sendkey},
    {"stop", "s", "", "pause the guest (CPU and virtual time)", &MonitorSession::stop},
    {"cont", "c", "", "resume the guest", &MonitorSession::cont},
    {"system_reset", nullptr, "", "reset the machine (also with -no-reboot)", &MonitorSession::system_reset},
    {"quit", "q", "", "end the emulator (exit code 0)", &MonitorSession::quit},
};

const MonitorSession::InfoItem MonitorSession::kInfoItems[] = {
    {"registers", "the CPU's registers", &MonitorSession::info_registers},
    {"jit", "execution statistics and guest speed", &MonitorSession::info_jit},
    {"status", "whether the guest runs or is paused", &MonitorSession::info_status},
};

MonitorSession::MonitorSession(Machine& machine) : machine_(machine), start_(sample()), last_info_jit_(start_) {}

MonitorSession::Sample MonitorSession::sample() const {
  return {host_now_s(), machine_.cpu().s.icount};
}

std::string MonitorSession::execute(std::string_view line) {
  Words words = split_words(line);
  if (words.empty()) return "";
  const std::string name = words.front();
  words.erase(words.begin());
  for (const Command& c : kCommands)
    if (name == c.name || (c.alias && name == c.alias)) return (this->*c.run)(words);
  return "unknown command: '" + name + "' (try 'help')\n";
}

std::string MonitorSession::help(const Words& args) {
  std::string out;
  for (const Command& c : kCommands) {
    if (!args.empty() && args[0] != c.name && !(c.alias && args[0] == c.alias)) continue;
    std::string synopsis = std::string(c.name) + (c.alias ? std::string("|") + c.alias : "");
    if (*c.args) synopsis += std::string(" ") + c.args;
    out += synopsis + " -- " + c.help + "\n";
  }
  if (out.empty()) return "help: unknown command '" + args[0] + "'\n";
  return out;
}

std::string MonitorSession::info(const Words& args) {
  if (!args.empty())
    for (const InfoItem& item : kInfoItems)
      if (args[0] == item.name) return (this->*item.show)();
  std::string out = args.empty() ? "" : "info: unknown item '" + args[0] + "'\n";
  for (const InfoItem& item : kInfoItems) out += std::string("info ") + item.name + " -- " + item.help + "\n";
  return out;
}

std::string MonitorSession::info_registers() {
  const CpuState& s = machine_.cpu().s;
  return capture([&](FILE* f) { dump_registers(s, f); });
}

std::string MonitorSession::info_jit() {
  Cpu& cpu = machine_.cpu();
  const CpuStats& st = cpu.stats;
  const Sample now = sample(), last = last_info_jit_;
  last_info_jit_ = now;
  const EngineStats es = machine_.engine().stats();
  std::string out = format("engine: %s\n", machine_.engine().name());
  out += format("guest instructions retired  %llu\n", (unsigned long long)cpu.s.icount);
  out += format("blocks decoded              %llu\n", (unsigned long long)es.blocks_made);
  out += format("blocks cached now           %llu\n", (unsigned long long)es.blocks_cached);
  out += format("block executions            %llu\n", (unsigned long long)es.block_execs);
  out += format("block lookups               %llu\n", (unsigned long long)es.lookups);
  out += format("block links made            %llu\n", (unsigned long long)es.links_made);
  out += format("blocks invalidated          %llu\n", (unsigned long long)es.invalidations);
  out += format("one-off (uncached) blocks   %llu\n", (unsigned long long)es.one_off_blocks);
  out += format("exceptions                  %llu\n", (unsigned long long)st.exceptions);
  out += format("interrupts                  %llu\n", (unsigned long long)st.interrupts);
  out += format("code-write invalidations    %llu\n", (unsigned long long)cpu.mmu.stats.smc_invalidations);
  out += format("TLB flushes                 %llu\n", (unsigned long long)cpu.mmu.stats.tlb_flushes);
  out += format("guest MIPS since start      %.2f (%.1f s of wall time, pauses included)\n",
                mips(now.insns - start_.insns, now.wall_s - start_.wall_s), now.wall_s - start_.wall_s);
  out += format("guest MIPS since last 'info jit'  %.2f (%.1f s)\n",
                mips(now.insns - last.insns, now.wall_s - last.wall_s), now.wall_s - last.wall_s);
  if (const Translator* t = machine_.translator()) out += "translator:\n" + t->describe_stats();
  return out;
}

std::string MonitorSession::info_status() {
  return machine_.paused() ? "VM status: paused\n" : "VM status: running\n";
}

std::string MonitorSession::screendump(const Words& args) {
  if (args.size() != 1) return "screendump: expected one argument, the PNG file name\n";
  try {
    save_screenshot(machine_, args[0]);
  } catch (const ScreenshotError& e) {
    return std::string(e.what()) + "\n";
  }
  return "";
}

std::string MonitorSession::sendkey(const Words& args) {
  if (args.empty() || args.size() > 2) return "sendkey: expected KEYS [HOLD_MS], e.g. 'sendkey ctrl-alt-delete'\n";
  std::string unknown;
  const std::vector<Set2Key> keys = parse_key_combo(args[0], &unknown);
  if (keys.empty()) return "sendkey: unknown key '" + unknown + "'\n";
  unsigned hold_ms = kDefaultHoldMs;
  if (args.size() == 2) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(args[1].c_str(), &end, 10);
    if (*end != '\0' || args[1].empty() || v > 10'000) return "sendkey: HOLD_MS must be 0 to 10000\n";
    hold_ms = unsigned(v);
  }
  const double now = host_now_s(), release = now + hold_ms / 1000.0;
  for (const KeyEvent& e : key_combo_events(keys)) pending_keys_.push_back({e, e.pressed ? now : release});
  feed_keys();
  return "";
}

void MonitorSession::feed_keys() {
  Ps2Keyboard& keyboard = machine_.keyboard_controller().keyboard();
  const double now = host_now_s();
  while (!pending_keys_.empty() && pending_keys_.front().due_s <= now &&
         keyboard.queued() + kMaxKeyEventBytes <= Ps2Device::kQueueLimit) {
    const KeyEvent e = pending_keys_.front().event;
    pending_keys_.pop_front();
    keyboard.key(e.key.code, e.key.extended, e.pressed);
  }
}

std::string MonitorSession::stop(const Words&) {
  machine_.pause();
  return "";
}

std::string MonitorSession::cont(const Words&) {
  machine_.resume();
  return "";
}

std::string MonitorSession::system_reset(const Words&) {
  machine_.request_reset();
  return "";
}

std::string MonitorSession::quit(const Words&) {
  machine_.request_quit("quit (monitor)");
  return "";
}

}  // namespace bt86
