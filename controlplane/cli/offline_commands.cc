#include "offline_commands.h"

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <map>

#include "config_parse.h"
#include "config_to_snapshot.h"
#include "snapshot_builder.h"
#include "vip_spec.h"

namespace po = boost::program_options;

namespace maglb::cli {
namespace {

// Parses `args` with `desc` plus one positional FILE; prints usage on error.
bool parse_args(const std::vector<std::string> &args, po::options_description &desc,
                po::variables_map &vm, const char *usage) {
  po::positional_options_description pos;
  pos.add("file", 1);
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error &e) {
    std::cerr << "maglbctl: " << e.what() << "\nusage: " << usage << "\n" << desc;
    return false;
  }
  if (vm.count("help")) {
    std::cout << "usage: " << usage << "\n" << desc;
    return false;
  }
  if (!vm.count("file")) {
    std::cerr << "maglbctl: missing FILE\nusage: " << usage << "\n" << desc;
    return false;
  }
  return true;
}

}  // namespace

int cmd_config_check(const std::vector<std::string> &args) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("json", "machine-readable output")(
      "file", po::value<std::string>(), "config file");
  po::variables_map vm;
  if (!parse_args(args, desc, vm, "maglbctl config check FILE [--json]"))
    return vm.count("help") ? 0 : 2;
  const std::string file = vm["file"].as<std::string>();
  const config::ParseResult r = config::load_config_file(file);
  // A config that parses must also build: table sizes, id space, etc.
  std::string build_error;
  if (r.config) {
    snapshot::IdAllocator ids;
    build_error = snapshot::build_snapshot(snapshot::snapshot_input_of(*r.config, 1), ids).error;
  }
  const bool ok = r.config && build_error.empty();
  if (vm.count("json")) {
    nlohmann::json out = {{"file", file}, {"valid", ok}, {"errors", nlohmann::json::array()}};
    for (const auto &e : r.errors) out["errors"].push_back({{"path", e.path}, {"reason", e.reason}});
    if (!build_error.empty()) out["errors"].push_back({{"path", "vips"}, {"reason", build_error}});
    std::cout << out.dump(2) << "\n";
  } else if (ok) {
    size_t backends = 0;
    for (const auto &v : r.config->vips) backends += v.backends.size();
    std::cout << file << ": OK (" << r.config->vips.size() << " VIPs, " << backends
              << " backends, dataplane "
              << (r.config->dataplane.mode == config::DataplaneMode::kDpdk ? "dpdk" : "xdp")
              << ")\n";
  } else {
    size_t n = r.errors.size() + (build_error.empty() ? 0 : 1);
    std::cerr << file << ": " << n << (n == 1 ? " error" : " errors") << "\n";
    for (const auto &e : r.errors) std::cerr << "  " << e.to_string() << "\n";
    if (!build_error.empty()) std::cerr << "  vips: " << build_error << "\n";
  }
  return ok ? 0 : 1;
}

int cmd_table_show(const std::vector<std::string> &args) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("vip", po::value<std::string>(),
                                                  "VIP as ADDR:PORT/PROTO (required)")(
      "json", "machine-readable output")("slots", "also print every slot's backend")(
      "file", po::value<std::string>(), "config file");
  po::variables_map vm;
  const char *usage = "maglbctl table show FILE --vip ADDR:PORT/PROTO [--json] [--slots]";
  if (!parse_args(args, desc, vm, usage)) return vm.count("help") ? 0 : 2;
  if (!vm.count("vip")) {
    std::cerr << "maglbctl: --vip is required\nusage: " << usage << "\n";
    return 2;
  }
  std::string err;
  const auto want = parse_vip_spec(vm["vip"].as<std::string>(), &err);
  if (!want) {
    std::cerr << "maglbctl: " << err << "\n";
    return 2;
  }
  const std::string file = vm["file"].as<std::string>();
  const config::ParseResult r = config::load_config_file(file);
  if (!r.config) {
    std::cerr << file << ": invalid config (run 'maglbctl config check " << file << "')\n";
    for (const auto &e : r.errors) std::cerr << "  " << e.to_string() << "\n";
    return 1;
  }
  snapshot::IdAllocator ids;
  const snapshot::BuildResult built =
      snapshot::build_snapshot(snapshot::snapshot_input_of(*r.config, 1), ids);
  if (!built.error.empty()) {
    std::cerr << file << ": " << built.error << "\n";
    return 1;
  }
  size_t v = 0;
  for (; v < r.config->vips.size(); ++v) {
    const maglb_vip_key k = snapshot::vip_key_of(r.config->vips[v]);
    if (std::memcmp(&k, &*want, sizeof(k)) == 0) break;
  }
  if (v == r.config->vips.size()) {
    std::cerr << "maglbctl: no VIP " << snapshot::format_vip(*want) << " in " << file << "\n";
    return 1;
  }
  const config::VipConfig &vc = r.config->vips[v];
  const snapshot::BuiltVip &bv = built.vips[v];
  std::map<uint32_t, uint64_t> slots;
  for (uint32_t id : bv.table) ++slots[id];
  uint64_t total_weight = 0;
  for (const auto &b : vc.backends) total_weight += b.weight;
  const double m = static_cast<double>(bv.table.size());

  if (vm.count("json")) {
    nlohmann::json out = {{"vip", snapshot::format_vip(bv.key)},
                          {"table_size", bv.table.size()},
                          {"backends", nlohmann::json::array()}};
    for (size_t b = 0; b < vc.backends.size(); ++b) {
      const uint32_t id = bv.backend_ids[b];
      out["backends"].push_back({{"address", config::format_address(vc.backends[b].address)},
                                 {"name", vc.backends[b].name},
                                 {"id", id},
                                 {"weight", vc.backends[b].weight},
                                 {"slots", slots[id]},
                                 {"share", slots[id] / m}});
    }
    if (vm.count("slots")) out["slots"] = bv.table;
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "VIP " << snapshot::format_vip(bv.key) << "  table size " << bv.table.size()
            << "  backends " << vc.backends.size() << "\n";
  std::cout << std::left << std::setw(28) << "BACKEND" << std::setw(12) << "NAME" << std::right
            << std::setw(8) << "WEIGHT" << std::setw(10) << "SLOTS" << std::setw(9) << "SHARE"
            << std::setw(9) << "IDEAL" << "\n";
  for (size_t b = 0; b < vc.backends.size(); ++b) {
    const auto &be = vc.backends[b];
    const uint32_t id = bv.backend_ids[b];
    const double ideal = total_weight ? 100.0 * be.weight / static_cast<double>(total_weight) : 0;
    std::cout << std::left << std::setw(28) << config::format_address(be.address) << std::setw(12)
              << (be.name.empty() ? "-" : be.name) << std::right << std::setw(8) << be.weight
              << std::setw(10) << slots[id] << std::setw(8) << std::fixed << std::setprecision(2)
              << 100.0 * slots[id] / m << "%" << std::setw(8) << ideal << "%\n";
  }
  if (slots.count(MAGLB_SLOT_EMPTY))
    std::cout << "no backend has weight > 0: new flows to this VIP are dropped\n";
  if (vm.count("slots")) {
    std::cout << "slots (backend id per slot):\n";
    for (size_t s = 0; s < bv.table.size(); ++s)
      std::cout << s << " " << bv.table[s] << (s + 1 < bv.table.size() ? "\n" : "\n");
  }
  return 0;
}

}  // namespace maglb::cli
