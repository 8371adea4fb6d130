// maglb-dataplane: EAL arguments first, then `--` and our own options
// (options.h). Start-up failures end the process here, and only here.
#include <csignal>
#include <cstdio>
#include <string>

#include <rte_eal.h>
#include <rte_debug.h>

#include "engine.h"
#include "options.h"

namespace {

maglb::dpdk::Engine *g_engine = nullptr;

// Async-signal-safe: only sets the flag the control loop polls.
void on_signal(int) {
  if (g_engine != nullptr) g_engine->request_stop();
}

}  // namespace

int main(int argc, char **argv) {
  int eal_args = rte_eal_init(argc, argv);
  if (eal_args < 0) rte_exit(EXIT_FAILURE, "maglb-dataplane: EAL initialisation failed\n");
  // rte_eal_init consumed the EAL arguments; what follows `--` is ours.
  argc -= eal_args;
  argv += eal_args;
  maglb::dpdk::ParsedOptions parsed = maglb::dpdk::parse_options(argc, argv);
  if (parsed.outcome == maglb::dpdk::ParsedOptions::Outcome::Help) {
    std::printf("%s", parsed.text.c_str());
    rte_eal_cleanup();
    return 0;
  }
  if (parsed.outcome == maglb::dpdk::ParsedOptions::Outcome::Error) {
    rte_exit(EXIT_FAILURE, "maglb-dataplane: %s (see -- --help)\n", parsed.text.c_str());
  }

  // Static storage: the signal handler may run until the process exits.
  static maglb::dpdk::Engine engine;
  std::string error;
  if (!engine.start(parsed.options, &error)) {
    engine.shutdown();
    rte_exit(EXIT_FAILURE, "maglb-dataplane: %s\n", error.c_str());
  }
  g_engine = &engine;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  engine.run();
  engine.shutdown();
  std::printf("maglb-dataplane: stopped\n");
  rte_eal_cleanup();
  return 0;
}
