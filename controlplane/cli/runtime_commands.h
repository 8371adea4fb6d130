// maglbctl's runtime commands: thin clients of maglbd's control socket
// (docs/cli.md). Every one takes --socket PATH (default
// /run/maglb/maglbd.sock) and --json (print the daemon's result as JSON).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace maglb::cli {

// Runs the runtime command that `words` (argv after the program name)
// names, returning its exit status: 0 ok, 1 the daemon refused or failed
// the request, 2 usage error, 3 the daemon could not be reached. nullopt
// when the words name no runtime command.
std::optional<int> run_runtime_command(const std::vector<std::string> &words);

// The usage lines of the runtime commands, for maglbctl --help.
const char *runtime_usage();

}  // namespace maglb::cli
