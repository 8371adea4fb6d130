// maglbctl commands that work on a config file, without a running daemon.
#pragma once

#include <string>
#include <vector>

namespace maglb::cli {

// Each returns the process exit status (0 ok, 1 the check failed, 2 usage).
int cmd_config_check(const std::vector<std::string> &args);
int cmd_table_show(const std::vector<std::string> &args);

}  // namespace maglb::cli
