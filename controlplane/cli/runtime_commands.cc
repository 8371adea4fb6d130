#include "runtime_commands.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <fstream>
#include <algorithm>
#include <functional>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>

#include "daemon_client.h"
#include "runtime_format.h"
#include "vip_spec.h"

namespace po = boost::program_options;
using nlohmann::json;

namespace maglb::cli {
namespace {

// Every request is answered in well under this; a reload of a huge config
// builds every table first, so allow for that.
constexpr std::chrono::milliseconds kRequestTimeout{60000};

struct Command {
  const char *name;       // "backend add"
  const char *arguments;  // "VIP ADDR [--weight N] [--name S]"
  const char *summary;
  std::vector<const char *> positional;  // names of the required positional arguments
  std::function<void(po::options_description &)> options;
  // Builds the request from the parsed arguments; "" or a usage error.
  std::function<std::string(const po::variables_map &, json &)> request;
  std::function<void(std::ostream &, const json &)> print;
};

std::string arg(const po::variables_map &vm, const char *name) {
  return vm.count(name) ? vm[name].as<std::string>() : std::string();
}

// A VIP argument, checked here for a usage error before any connection.
std::string vip_arg(const po::variables_map &vm, const char *name, const char *field, json &req) {
  std::string error;
  if (!parse_vip_spec(arg(vm, name), &error)) return error;
  req[field] = arg(vm, name);
  return "";
}

std::string uint_arg(const po::variables_map &vm, const char *name, const char *field, uint64_t max,
                     json &req) {
  if (!vm.count(name)) return "";
  const std::string text = arg(vm, name);
  uint64_t v = 0;
  size_t used = 0;
  try {
    v = std::stoull(text, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  if (used == 0 || used != text.size() || text[0] == '-' || v > max) {
    return std::string("--") + name + " must be an integer 0.." + std::to_string(max) + " (got '" +
           text + "')";
  }
  req[field] = v;
  return "";
}

using Print = std::function<void(std::ostream &, const json &)>;
Print change(const char *what) {
  return [what](std::ostream &os, const json &r) { print_change(os, what, r); };
}

const std::vector<Command> &commands() {
  static const std::vector<Command> kCommands = {
      {"status",
       "",
       "daemon, dataplane and generation",
       {},
       nullptr,
       [](const po::variables_map &, json &) { return std::string(); },
       print_status},
      {"vip list",
       "",
       "every VIP with its backends in service",
       {},
       nullptr,
       [](const po::variables_map &, json &) { return std::string(); },
       print_vip_list},
      {"vip show",
       "VIP",
       "backends: health state, configured/effective weight, slot share",
       {"vip"},
       nullptr,
       [](const po::variables_map &vm, json &r) { return vip_arg(vm, "vip", "vip", r); },
       print_vip_show},
      {"vip add",
       "VIP --method ipip|gue|l2 [--hash 5tuple|3tuple|src_addr] [--table-size N]",
       "add a VIP (no backends, no health check)",
       {"vip"},
       [](po::options_description &d) {
         d.add_options()("method", po::value<std::string>(), "ipip, gue or l2 (required)")(
             "hash", po::value<std::string>(), "5tuple (default), 3tuple, src_addr")(
             "table-size", po::value<std::string>(), "Maglev table size, a prime (default 65537)");
       },
       [](const po::variables_map &vm, json &r) {
         if (std::string e = vip_arg(vm, "vip", "vip", r); !e.empty()) return e;
         if (!vm.count("method")) return std::string("--method is required");
         r["method"] = arg(vm, "method");
         if (vm.count("hash")) r["hash"] = arg(vm, "hash");
         return uint_arg(vm, "table-size", "table_size", 5000011, r);
       },
       change("vip add")},
      {"vip remove",
       "VIP",
       "remove a VIP and its backends",
       {"vip"},
       nullptr,
       [](const po::variables_map &vm, json &r) { return vip_arg(vm, "vip", "vip", r); },
       change("vip remove")},
      {"backend add",
       "VIP ADDR [--weight N] [--name S]",
       "add a backend to a VIP",
       {"vip", "address"},
       [](po::options_description &d) {
         d.add_options()("weight", po::value<std::string>(), "0..65535 (default 100; 0 = drained)")(
             "name", po::value<std::string>(), "label for metrics and output");
       },
       [](const po::variables_map &vm, json &r) {
         if (std::string e = vip_arg(vm, "vip", "vip", r); !e.empty()) return e;
         r["address"] = arg(vm, "address");
         if (vm.count("name")) r["name"] = arg(vm, "name");
         return uint_arg(vm, "weight", "weight", 65535, r);
       },
       change("backend add")},
      {"backend remove",
       "VIP ADDR",
       "remove a backend (its flows move to others)",
       {"vip", "address"},
       nullptr,
       [](const po::variables_map &vm, json &r) {
         r["address"] = arg(vm, "address");
         return vip_arg(vm, "vip", "vip", r);
       },
       change("backend remove")},
      {"backend weight",
       "VIP ADDR N",
       "set a backend's weight (0 = drain)",
       {"vip", "address", "weight"},
       nullptr,
       [](const po::variables_map &vm, json &r) {
         r["address"] = arg(vm, "address");
         if (std::string e = uint_arg(vm, "weight", "weight", 65535, r); !e.empty()) {
           return std::string("weight must be an integer 0..65535");
         }
         return vip_arg(vm, "vip", "vip", r);
       },
       change("backend weight")},
      {"backend drain",
       "VIP ADDR",
       "no new flows to the backend; established ones stay",
       {"vip", "address"},
       nullptr,
       [](const po::variables_map &vm, json &r) {
         r["address"] = arg(vm, "address");
         return vip_arg(vm, "vip", "vip", r);
       },
       change("backend drain")},
      {"backend undrain",
       "VIP ADDR [--weight N]",
       "restore the weight a drain saved (or N)",
       {"vip", "address"},
       [](po::options_description &d) {
         d.add_options()("weight", po::value<std::string>(), "weight to restore (1..65535)");
       },
       [](const po::variables_map &vm, json &r) {
         r["address"] = arg(vm, "address");
         if (std::string e = uint_arg(vm, "weight", "weight", 65535, r); !e.empty()) return e;
         return vip_arg(vm, "vip", "vip", r);
       },
       change("backend undrain")},
      {"stats",
       "[--vip VIP]",
       "packets, bytes, new flows per VIP and backend; drops; per core",
       {},
       [](po::options_description &d) {
         d.add_options()("vip", po::value<std::string>(), "only this VIP");
       },
       [](const po::variables_map &vm, json &r) {
         return vm.count("vip") ? vip_arg(vm, "vip", "vip", r) : std::string();
       },
       print_stats},
      {"table dump",
       "VIP",
       "the installed Maglev table: slot -> backend",
       {"vip"},
       nullptr,
       [](const po::variables_map &vm, json &r) { return vip_arg(vm, "vip", "vip", r); },
       print_table},
      {"trace",
       "SRC:SPORT DST:DPORT/PROTO",
       "which backend a new flow gets now, and why",
       {"source", "destination"},
       nullptr,
       [](const po::variables_map &vm, json &r) {
         r["source"] = arg(vm, "source");
         return vip_arg(vm, "destination", "destination", r);
       },
       print_trace},
      {"reload",
       "",
       "re-read the daemon's config file (rejected whole if invalid)",
       {},
       nullptr,
       [](const po::variables_map &, json &) { return std::string(); },
       print_reload},
      {"diff",
       "FILE",
       "what applying FILE would change, and the share of flows that move",
       {"file"},
       nullptr,
       [](const po::variables_map &vm, json &r) {
         // The daemon gets the content, never a path: no request makes it
         // read a file other than its own config.
         std::ifstream in(arg(vm, "file"), std::ios::binary);
         if (!in) return "cannot read " + arg(vm, "file");
         std::ostringstream text;
         text << in.rdbuf();
         r["config"] = text.str();
         return std::string();
       },
       print_diff},
      {"config show",
       "",
       "the running config (canonical JSON)",
       {},
       nullptr,
       [](const po::variables_map &, json &) { return std::string(); },
       print_config},
  };
  return kCommands;
}

// Connects, sends, prints. Exit status as documented in the header.
int call(const std::string &socket, bool as_json, const json &request, const Print &print,
         json *result = nullptr) {
  std::string error;
  auto client = DaemonClient::connect(socket, kRequestTimeout, &error);
  if (!client) {
    std::cerr << "maglbctl: " << error << "\n";
    return 3;
  }
  const auto response = client->call(request, &error);
  if (!response) {
    std::cerr << "maglbctl: " << error << "\n";
    return 3;
  }
  if (!response->value("ok", false)) {
    if (as_json) std::cout << response->dump(2) << "\n";
    std::cerr << "maglbctl: " << response->value("error", std::string("request failed")) << "\n";
    if (response->contains("errors") && (*response)["errors"].is_array()) {
      for (const json &e : (*response)["errors"]) {
        std::cerr << "  " << (e.is_string() ? e.get<std::string>() : e.dump()) << "\n";
      }
    }
    return 1;
  }
  const json &r = (*response)["result"];
  if (result) *result = r;
  if (as_json) {
    std::cout << r.dump(2) << "\n";
  } else if (print) {
    print(std::cout, r);
  }
  return 0;
}

int run_top(const std::string &socket, bool as_json, const po::variables_map &vm, json request) {
  uint64_t iterations = 0;  // 0: until interrupted
  if (vm.count("iterations")) {
    json tmp;
    if (std::string e = uint_arg(vm, "iterations", "n", 1u << 30, tmp); !e.empty()) {
      std::cerr << "maglbctl: " << e << "\n";
      return 2;
    }
    iterations = tmp["n"].get<uint64_t>();
  }
  request["command"] = "stats";
  const bool tty = ::isatty(STDOUT_FILENO) && !as_json;
  json prev;
  auto prev_at = std::chrono::steady_clock::now();
  auto next = prev_at;
  for (uint64_t i = 0; iterations == 0 || i < iterations; ++i) {
    if (i > 0) std::this_thread::sleep_until(next);
    next += std::chrono::seconds(1);
    json cur;
    const int rc = call(socket, as_json, request, nullptr, &cur);
    if (rc != 0) return rc;
    const auto now = std::chrono::steady_clock::now();
    if (!as_json) {
      if (tty) std::cout << "\x1b[H\x1b[2J";  // home, clear screen
      print_top(std::cout, prev, cur, std::chrono::duration<double>(now - prev_at).count());
      if (!tty) std::cout << "\n";
      std::cout.flush();
    }
    prev = std::move(cur);
    prev_at = now;
  }
  return 0;
}

}  // namespace

const char *runtime_usage() {
  return "runtime (talk to maglbd; --socket PATH, default /run/maglb/maglbd.sock; --json):\n"
         "  status                                 daemon, dataplane and generation\n"
         "  vip list | vip show VIP                VIPs; one VIP's backends, health, weights, "
         "slots\n"
         "  vip add VIP --method M [--hash H] [--table-size N] | vip remove VIP\n"
         "  backend add VIP ADDR [--weight N] [--name S] | backend remove VIP ADDR\n"
         "  backend weight VIP ADDR N | backend drain VIP ADDR | backend undrain VIP ADDR\n"
         "  stats [--vip VIP] | top [--vip VIP] [--iterations N]\n"
         "  table dump VIP                         installed table, slot -> backend\n"
         "  trace SRC:SPORT DST:DPORT/PROTO        which backend a new flow gets, and why\n"
         "  reload | diff FILE | config show\n";
}

std::optional<int> run_runtime_command(const std::vector<std::string> &words) {
  const bool is_top = !words.empty() && words[0] == "top";
  const Command *cmd = nullptr;
  size_t used = 0;
  if (!is_top) {
    for (const Command &c : commands()) {
      std::istringstream name(c.name);
      std::vector<std::string> parts{std::istream_iterator<std::string>(name), {}};
      if (words.size() >= parts.size() && std::equal(parts.begin(), parts.end(), words.begin())) {
        cmd = &c;
        used = parts.size();
        break;
      }
    }
    if (cmd == nullptr) return std::nullopt;
  } else {
    used = 1;
  }
  const std::string name = is_top ? "top" : cmd->name;
  const std::string usage =
      "maglbctl " + name + " " + (is_top ? "[--vip VIP] [--iterations N]" : cmd->arguments);
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("json", "print the result as JSON")(
      "socket", po::value<std::string>()->default_value(kDefaultDaemonSocket), "maglbd's socket");
  if (is_top) {
    desc.add_options()("vip", po::value<std::string>(), "only this VIP")(
        "iterations", po::value<std::string>(), "screens to show (default: until Ctrl-C)");
  } else if (cmd->options) {
    cmd->options(desc);
  }
  po::options_description hidden;
  po::positional_options_description pos;
  const std::vector<const char *> positional =
      is_top ? std::vector<const char *>{} : cmd->positional;
  for (const char *p : positional) {
    hidden.add_options()(p, po::value<std::string>(), p);
    pos.add(p, 1);
  }
  po::options_description all;
  all.add(desc).add(hidden);
  po::variables_map vm;
  const std::vector<std::string> args(words.begin() + static_cast<std::ptrdiff_t>(used),
                                      words.end());
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error &e) {
    std::cerr << "maglbctl: " << e.what() << "\nusage: " << usage << "\n" << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "usage: " << usage << "\n"
              << (is_top ? "live view of stats, every second" : cmd->summary) << "\n"
              << desc;
    return 0;
  }
  for (const char *p : positional) {
    if (!vm.count(p)) {
      std::cerr << "maglbctl: missing " << p << "\nusage: " << usage << "\n";
      return 2;
    }
  }
  json request = {{"command", name}};
  const std::string socket = vm["socket"].as<std::string>();
  const bool as_json = vm.count("json") > 0;
  if (is_top) {
    if (vm.count("vip")) {
      if (std::string e = vip_arg(vm, "vip", "vip", request); !e.empty()) {
        std::cerr << "maglbctl: " << e << "\n";
        return 2;
      }
    }
    return run_top(socket, as_json, vm, request);
  }
  if (std::string e = cmd->request(vm, request); !e.empty()) {
    std::cerr << "maglbctl: " << e << "\nusage: " << usage << "\n";
    return 2;
  }
  return call(socket, as_json, request, cmd->print);
}

}  // namespace maglb::cli
