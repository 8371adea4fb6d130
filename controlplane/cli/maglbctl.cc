// maglbctl: the operator's command-line tool. Offline commands read a config
// file; runtime commands are thin clients of the daemon's control socket.
#include <iostream>
#include <string>
#include <vector>

#include "offline_commands.h"
#include "runtime_commands.h"

namespace {

void usage(std::ostream &os) {
  os << "usage: maglbctl COMMAND [ARGS] [--json]\n"
        "\n"
        "offline (read a config file, no daemon needed):\n"
        "  config check FILE                      validate; prints every error with its JSON path\n"
        "  table show FILE --vip ADDR:PORT/PROTO  each backend's Maglev slot share and weight\n"
        "\n"
     << maglb::cli::runtime_usage()
     << "\n"
        "run 'maglbctl COMMAND --help' for a command's options\n";
}

}  // namespace

int main(int argc, char **argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
    usage(words.empty() ? std::cerr : std::cout);
    return words.empty() ? 2 : 0;
  }
  auto rest = [&](size_t n) { return std::vector<std::string>(words.begin() + n, words.end()); };
  if (words.size() >= 2 && words[0] == "config" && words[1] == "check")
    return maglb::cli::cmd_config_check(rest(2));
  if (words.size() >= 2 && words[0] == "table" && words[1] == "show")
    return maglb::cli::cmd_table_show(rest(2));
  if (auto rc = maglb::cli::run_runtime_command(words)) return *rc;
  std::cerr << "maglbctl: unknown command '" << words[0] << (words.size() > 1 ? " " + words[1] : "")
            << "'\n";
  usage(std::cerr);
  return 2;
}
