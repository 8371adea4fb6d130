// Human-readable output of maglbctl's runtime commands, from the daemon's
// JSON results (docs/cli.md shows each). --json prints the result as is.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace maglb::cli {

void print_status(std::ostream &os, const nlohmann::json &r);
void print_vip_list(std::ostream &os, const nlohmann::json &r);
void print_vip_show(std::ostream &os, const nlohmann::json &r);
// The one-line confirmation of a change ("backend add"): `what` says what.
void print_change(std::ostream &os, const std::string &what, const nlohmann::json &r);
void print_stats(std::ostream &os, const nlohmann::json &r);
// One screen of `top`: rates from the difference of two stats results
// taken `seconds` apart (prev null: the first screen, totals only).
void print_top(std::ostream &os, const nlohmann::json &prev, const nlohmann::json &cur,
               double seconds);
void print_table(std::ostream &os, const nlohmann::json &r);
void print_trace(std::ostream &os, const nlohmann::json &r);
void print_reload(std::ostream &os, const nlohmann::json &r);
void print_diff(std::ostream &os, const nlohmann::json &r);
void print_config(std::ostream &os, const nlohmann::json &r);

}  // namespace maglb::cli
