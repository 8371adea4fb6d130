// maglbd: the maglb control-plane daemon (docs/daemon.md). Start-up errors
// end the process here, in main, with every problem listed; afterwards
// nothing a client or the network does can end it.
#include <limits.h>
#include <stdlib.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <string>

#include "config_store.h"
#include "daemon.h"
#include "logger.h"

namespace po = boost::program_options;
using maglb::daemon::LogLevel;

int main(int argc, char **argv) {
  po::options_description desc("maglbd options");
  desc.add_options()("help,h", "show this help")("config,c", po::value<std::string>(),
                                                 "config file (JSON, docs/config.md); required")(
      "log-level", po::value<std::string>()->default_value("info"),
      "least severe level logged: debug, info, warn, error, alert");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error &e) {
    std::cerr << "maglbd: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "usage: maglbd --config FILE [--log-level info]\n" << desc;
    return 0;
  }
  if (!vm.count("config")) {
    std::cerr << "maglbd: --config FILE is required\n" << desc;
    return 2;
  }
  const auto level = maglb::daemon::parse_log_level(vm["log-level"].as<std::string>());
  if (!level) {
    std::cerr << "maglbd: --log-level must be one of debug, info, warn, error, alert\n";
    return 2;
  }
  // The path every later reload and rewrite uses: resolved once, so a
  // symlinked config is rewritten where it really lives.
  std::string path = vm["config"].as<std::string>();
  if (char *real = ::realpath(path.c_str(), nullptr)) {
    path = real;
    ::free(real);
  }
  maglb::daemon::Logger log(std::cerr, *level);
  maglb::daemon::ConfigStore store(path);
  std::string content;
  const maglb::config::ParseResult parsed = store.read(&content);
  if (!parsed.ok()) {
    std::cerr << "maglbd: " << path << ": " << parsed.errors.size()
              << (parsed.errors.size() == 1 ? " error" : " errors") << "\n";
    for (const auto &e : parsed.errors) std::cerr << "  " << e.to_string() << "\n";
    return 1;
  }
  std::string error;
  const int signal_fd = maglb::daemon::Daemon::block_signals(&error);
  if (signal_fd < 0) {
    log.error("cannot start", {{"error", error}});
    return 1;
  }
  auto daemon = maglb::daemon::Daemon::create(store, *parsed.config, std::move(content), signal_fd,
                                              log, &error);
  if (!daemon) {
    log.error("cannot start", {{"error", error}});
    return 1;
  }
  return daemon->run();
}
