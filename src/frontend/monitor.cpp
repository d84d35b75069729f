// The monitor front end (see monitor.h): -monitor parsing, greeting, command lines, prompt.
#include "frontend/monitor.h"

#include "frontend/cli_options.h"

namespace bt86 {

namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (true) {
    const size_t comma = text.find(',', pos);
    parts.push_back(text.substr(pos, comma == std::string::npos ? comma : comma - pos));
    if (comma == std::string::npos) return parts;
    pos = comma + 1;
  }
}

}  // namespace

MonitorSpec parse_monitor_spec(const std::string& text) {
  MonitorSpec spec;
  if (text == "none") return spec;
  if (text == "stdio") {
    spec.kind = MonitorSpec::Kind::Stdio;
    return spec;
  }
  const std::string bad = "-monitor '" + text + "': ";
  if (text.rfind("unix:", 0) != 0)
    throw MonitorError(bad + "expected stdio, none or unix:PATH,server[,nowait]");
  const std::vector<std::string> parts = split_commas(text.substr(5));
  spec.kind = MonitorSpec::Kind::UnixServer;
  spec.path = parts[0];
  if (spec.path.empty()) throw MonitorError(bad + "the socket path is missing");
  bool server = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p == "server" || p == "server=on") server = true;
    else if (p == "server=off") server = false;
    else if (p == "nowait" || p == "wait=off") spec.wait = false;
    else if (p == "wait" || p == "wait=on") spec.wait = true;
    else throw MonitorError(bad + "unknown socket option '" + p + "' (server, nowait, wait=on|off)");
  }
  if (!server) throw MonitorError(bad + "only a listening socket is supported: add ',server' (and ',nowait')");
  return spec;
}

Monitor::Monitor(Machine& machine, const MonitorSpec& spec) : session_(machine) {
  switch (spec.kind) {
    case MonitorSpec::Kind::Stdio: channel_ = MonitorChannel::open_stdio(); break;
    case MonitorSpec::Kind::UnixServer: channel_ = MonitorChannel::open_unix_server(spec.path, spec.wait); break;
    case MonitorSpec::Kind::None: throw MonitorError("-monitor none: no monitor to open");
  }
}

void Monitor::poll(Machine&) {
  const MonitorChannel::Input in = channel_->poll();
  if (in.new_client)
    channel_->write(std::string("bt86 ") + kBt86Version + " monitor - type 'help' for more information\n" + kPrompt);
  for (const std::string& line : in.lines) channel_->write(session_.execute(line) + kPrompt);
  session_.feed_keys();
}

std::unique_ptr<Monitor> open_monitor(Machine& machine, const std::string& spec_text) {
  const MonitorSpec spec = parse_monitor_spec(spec_text);
  if (spec.kind == MonitorSpec::Kind::None) return nullptr;
  auto monitor = std::make_unique<Monitor>(machine, spec);
  machine.add_frontend(monitor.get());
  return monitor;
}

}  // namespace bt86
