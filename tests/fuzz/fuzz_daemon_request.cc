// Fuzzer: maglbd's control protocol (controlplane/daemon/control_protocol.h)
// as a client can drive it. The input is the byte stream of one connection:
// it is cut into lines like the daemon's control server does (take_line),
// each line decoded (parse_request) and run by the real CommandHandler
// against a balancer with a recording programmer and a config file in a
// private temporary directory (reset for every input, so a crash replays).
// Checked: no crash, sanitizer report or escaping exception; every
// response is one line of valid JSON with a boolean "ok"; a failed command
// leaves the running config and the file as they were.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "atomic_file.h"
#include "balancer.h"
#include "command_handler.h"
#include "config_parse.h"
#include "config_store.h"
#include "control_protocol.h"
#include "daemon_counters.h"
#include "logger.h"
#include "programmer.h"

using namespace maglb;
using namespace maglb::daemon;

namespace {

[[noreturn]] void fail(const std::string &what) {
  std::fprintf(stderr, "fuzz_daemon_request: %s\n", what.c_str());
  std::abort();
}

const char *kConfig = R"({"dataplane": {"mode": "xdp", "interfaces": ["mgt0"],
  "address_v4": "198.18.0.1/24", "encap_source_v4": "198.18.0.1",
  "address_v6": "2001:db8::1/64", "encap_source_v6": "2001:db8::1"},
 "control": {"socket": "/run/maglb-fuzz/maglbd.sock"},
 "vips": [{"address": "198.18.0.100", "port": 80, "protocol": "tcp", "method": "ipip",
   "table_size": 17, "backends": [{"address": "198.18.1.1", "name": "a"},
   {"address": "198.18.1.2", "weight": 50}, {"address": "198.18.1.3", "weight": 0}]},
  {"address": "2001:db8::100", "port": 53, "protocol": "udp", "method": "gue",
   "table_size": 13, "backends": [{"address": "2001:db8:1::1"}]}]})";

class RecordingProgrammer : public programmer::Programmer {
 public:
  std::string name() const override { return "fuzz"; }
  std::string open(uint64_t *installed_generation) override {
    *installed_generation = 0;
    return "";
  }
  std::string program(std::span<const uint8_t>) override { return ""; }
  std::string stats(nlohmann::json *out) override {
    *out = nlohmann::json::object();
    return "";
  }
  std::string check() override { return ""; }
  std::string stop_forwarding() override { return ""; }
};

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The private directory, on tmpfs when there is one: every edit rewrites
// the config file with fsync, which on a disk would dominate each run.
char g_dir[64];

const char *dir() {
  if (g_dir[0] == 0) {
    std::snprintf(g_dir, sizeof(g_dir), "%s/maglb-fuzz-daemon-XXXXXX",
                  ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!::mkdtemp(g_dir)) fail("mkdtemp");
    std::atexit([] { (void)!std::system((std::string("rm -rf '") + g_dir + "'").c_str()); });
  }
  return g_dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string path = std::string(dir()) + "/maglb.json";
  if (!write_file_atomically(path, kConfig).empty()) fail("cannot write the config");
  ConfigStore store(path);
  std::string content;
  const config::ParseResult parsed = store.read(&content);
  if (!parsed.ok()) fail("the fuzzer's own config is invalid");
  std::ostringstream log_text;
  Logger log(log_text);
  DaemonCounters counters;
  RecordingProgrammer programmer;
  Balancer balancer(programmer, log, counters, [](const auto &) { return std::string(); });
  if (!balancer.start(*parsed.config, 0).empty()) fail("balancer start");
  store.accept(content);
  CommandHandler handler(balancer, store, log, counters);

  std::string buffer(reinterpret_cast<const char *>(data), size);
  buffer += '\n';  // the last line counts even without its newline
  std::string line;
  for (;;) {
    const LineResult lr = take_line(buffer, kMaxRequestBytes, &line);
    if (lr != LineResult::kLine) break;
    const config::Config before = balancer.config();
    const std::string file_before = read_file(path);
    std::string error;
    const auto request = parse_request(line, &error);
    const nlohmann::json response = request ? handler.handle(*request) : error_response(error);
    const std::string wire = encode_response(response);
    if (wire.empty() || wire.back() != '\n' || wire.find('\n') != wire.size() - 1)
      fail("response is not one line: " + wire);
    const auto back = nlohmann::json::parse(wire, nullptr, /*allow_exceptions=*/false);
    if (back.is_discarded() || !back.is_object() || !back.contains("ok") ||
        !back["ok"].is_boolean())
      fail("response is not a JSON object with a boolean ok: " + wire);
    if (!back["ok"].get<bool>()) {
      if (!(balancer.config() == before)) fail("a failed command changed the config: " + line);
      if (read_file(path) != file_before) fail("a failed command changed the file: " + line);
    }
  }
  return 0;
}
