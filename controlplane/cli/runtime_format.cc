#include "runtime_format.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <map>
#include <sstream>
#include <string>

namespace maglb::cli {
namespace {

using nlohmann::json;

uint64_t u64(const json &o, const char *key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

std::string str(const json &o, const char *key) {
  const auto it = o.find(key);
  if (it == o.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

json arr(const json &o, const char *key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_array() ? *it : json::array();
}

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f%%", 100.0 * share);
  return buf;
}

// 1234567 -> "1.23M": rates and totals in columns of fixed width.
std::string human(double v) {
  const char *units[] = {"", "k", "M", "G", "T"};
  int u = 0;
  while (v >= 1000.0 && u < 4) {
    v /= 1000.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f%s" : "%.2f%s", v, units[u]);
  return buf;
}

std::string backend_label(const json &b) {
  const std::string name = str(b, "name");
  return str(b, "address") + (name.empty() ? "" : " (" + name + ")");
}

class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream &os) const {
    std::vector<size_t> width;
    for (const auto &r : rows_) {
      width.resize(std::max(width.size(), r.size()), 0);
      for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    }
    for (const auto &r : rows_) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) {
        line += r[i];
        if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
      }
      os << line << "\n";
    }
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace

void print_status(std::ostream &os, const json &r) {
  os << "maglbd pid " << str(r, "pid") << ", up " << str(r, "uptime_s") << " s\n"
     << "config       " << str(r, "config_file") << "\n"
     << "dataplane    " << str(r, "dataplane")
     << (r.value("dataplane_up", false) ? " (up)" : " (DOWN)") << "\n"
     << "generation   " << str(r, "generation") << "\n"
     << "vips         " << str(r, "vips") << ", backends " << str(r, "backends") << "\n";
  if (!r.contains("bgp")) return;
  const json &bgp = r["bgp"];
  const json announced = arr(bgp, "announced");
  os << "bgp announced";
  for (const json &a : announced) os << ' ' << (a.is_string() ? a.get<std::string>() : a.dump());
  os << (announced.empty() ? " (nothing)\n" : "\n");
  for (const json &s : arr(bgp, "sessions")) {
    os << "bgp peer     " << str(s, "peer") << " " << str(s, "state") << " " << str(s, "info")
       << "\n";
  }
  if (bgp.contains("error")) os << "bgp error    " << str(bgp, "error") << "\n";
  if (bgp.contains("bird_error")) os << "bgp error    " << str(bgp, "bird_error") << "\n";
}

void print_vip_list(std::ostream &os, const json &r) {
  const json vips = arr(r, "vips");
  if (vips.empty()) {
    os << "no VIPs (generation " << str(r, "generation") << ")\n";
    return;
  }
  Table t({"VIP", "METHOD", "HASH", "TABLE", "CHECK", "BACKENDS", "IN SERVICE", "STATE"});
  for (const json &v : vips) {
    t.add({str(v, "vip"), str(v, "method"), str(v, "hash"), str(v, "table_size"),
           str(v, "healthcheck"), str(v, "backends"), str(v, "backends_in_service"),
           v.value("all_down", false) ? "ALL DOWN (last table kept)" : "ok"});
  }
  t.print(os);
}

void print_vip_show(std::ostream &os, const json &r) {
  os << "VIP " << str(r, "vip") << "  method " << str(r, "method") << "  hash " << str(r, "hash")
     << "  table " << str(r, "table_size") << "  check " << str(r, "healthcheck") << "  generation "
     << str(r, "generation") << "\n";
  if (r.value("all_down", false)) {
    os << "ALL BACKENDS DOWN: the last table is kept (fail open)\n";
  }
  const json backends = arr(r, "backends");
  if (backends.empty()) {
    os << "no backends: new flows to this VIP are dropped\n";
    return;
  }
  Table t({"BACKEND", "NAME", "STATE", "WEIGHT", "EFFECTIVE", "SLOTS", "SHARE", "REASON"});
  for (const json &b : backends) {
    std::string weight = str(b, "configured_weight");
    if (b.value("drained", false)) weight += " (drained)";
    t.add({str(b, "address"), str(b, "name").empty() ? "-" : str(b, "name"), str(b, "state"),
           weight, str(b, "effective_weight"), str(b, "slots"), percent(b.value("share", 0.0)),
           str(b, "reason")});
  }
  t.print(os);
}

void print_change(std::ostream &os, const std::string &what, const json &r) {
  if (r.contains("changed") && !r.value("changed", true)) {
    os << what << ": no change (" << str(r, "note") << ")\n";
    return;
  }
  os << what << ": done, generation " << str(r, "generation") << " installed";
  if (r.contains("previous_weight")) {
    os << " (weight was " << str(r, "previous_weight") << ")";
  } else if (r.contains("weight")) {
    os << " (weight " << str(r, "weight") << ")";
  }
  os << "\n";
}

void print_stats(std::ostream &os, const json &r) {
  const json flows = r.value("flows", json::object());
  os << "dataplane " << str(r, "dataplane") << "  generation " << str(r, "generation") << "  flows "
     << (flows.value("occupancy", json()).is_null() ? "?" : str(flows, "occupancy")) << " / "
     << str(flows, "capacity") << "\n\n";
  Table t({"VIP / BACKEND", "PACKETS", "BYTES", "NEW FLOWS"});
  for (const json &v : arr(r, "vips")) {
    t.add({str(v, "vip"), str(v, "packets"), str(v, "bytes"), str(v, "new_flows")});
    for (const json &b : arr(v, "backends")) {
      t.add({"  " + backend_label(b), str(b, "packets"), str(b, "bytes"), str(b, "new_flows")});
    }
  }
  t.print(os);
  os << "\ndrops:";
  bool any = false;
  const json drops = r.value("drops", json::object());
  for (const auto &[name, v] : drops.items()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > 0) {
      os << "  " << name << " " << v.get<uint64_t>();
      any = true;
    }
  }
  os << (any ? "\n" : "  none\n") << "\n";
  Table c({"CORE", "RX", "FORWARDED", "ICMP", "PASSED", "DROPPED", "NEW FLOWS", "FLOWS"});
  for (const json &core : arr(r, "cores")) {
    const json k = core.value("counters", json::object());
    uint64_t dropped = 0;
    for (const auto &[name, v] : k.items()) {
      if (name.rfind("drop_", 0) == 0 && v.is_number_unsigned()) dropped += v.get<uint64_t>();
    }
    c.add({str(core, "core"), str(k, "rx_packets"), str(k, "tx_forwarded"),
           str(k, "tx_icmp_generated"), str(k, "pass_to_kernel"), std::to_string(dropped),
           str(k, "flow_new"), str(core.value("flows", json::object()), "occupancy")});
  }
  c.print(os);
}

void print_top(std::ostream &os, const json &prev, const json &cur, double seconds) {
  const json flows = cur.value("flows", json::object());
  os << "maglb top  dataplane " << str(cur, "dataplane") << "  generation "
     << str(cur, "generation") << "  flows " << str(flows, "occupancy") << " / "
     << str(flows, "capacity") << "\n\n";
  std::map<std::string, json> before;  // "vip" or "vip|address" -> stats
  if (prev.is_object()) {
    for (const json &v : arr(prev, "vips")) {
      before[str(v, "vip")] = v;
      for (const json &b : arr(v, "backends")) before[str(v, "vip") + "|" + str(b, "address")] = b;
    }
  }
  auto rate = [&](const json &now, const std::string &key, const char *field) -> std::string {
    const auto it = before.find(key);
    if (it == before.end() || seconds <= 0) return "-";
    const uint64_t a = u64(it->second, field), b = u64(now, field);
    return human(b >= a ? static_cast<double>(b - a) / seconds : 0);
  };
  Table t({"VIP / BACKEND", "PKT/S", "BIT/S", "NEW FLOWS/S", "PACKETS"});
  for (const json &v : arr(cur, "vips")) {
    const std::string vk = str(v, "vip");
    const auto it = before.find(vk);
    std::string bits = "-";
    if (it != before.end() && seconds > 0) {
      const uint64_t a = u64(it->second, "bytes"), b = u64(v, "bytes");
      bits = human(b >= a ? 8.0 * static_cast<double>(b - a) / seconds : 0);
    }
    t.add({vk, rate(v, vk, "packets"), bits, rate(v, vk, "new_flows"),
           human(static_cast<double>(u64(v, "packets")))});
    for (const json &b : arr(v, "backends")) {
      const std::string bk = vk + "|" + str(b, "address");
      t.add({"  " + backend_label(b), rate(b, bk, "packets"), "", rate(b, bk, "new_flows"),
             human(static_cast<double>(u64(b, "packets")))});
    }
  }
  t.print(os);
  // Dataplane-wide rates: what reaches the VIPs above is only the part that
  // was forwarded; these show everything the dataplane received.
  auto drops_of = [](const json &r) {
    uint64_t n = 0;
    const json d = r.value("drops", json::object());
    for (const auto &[name, v] : d.items()) {
      if (v.is_number_unsigned()) n += v.get<uint64_t>();
    }
    return n;
  };
  const json now = cur.value("totals", json::object());
  const json then = prev.is_object() ? prev.value("totals", json::object()) : json::object();
  auto total_rate = [&](uint64_t b, uint64_t a) -> std::string {
    if (!prev.is_object() || seconds <= 0) return "-";
    return human(b >= a ? static_cast<double>(b - a) / seconds : 0);
  };
  os << "\ndataplane: rx " << total_rate(u64(now, "rx_packets"), u64(then, "rx_packets"))
     << " pkt/s, forwarded " << total_rate(u64(now, "tx_forwarded"), u64(then, "tx_forwarded"))
     << " pkt/s, to kernel " << total_rate(u64(now, "pass_to_kernel"), u64(then, "pass_to_kernel"))
     << " pkt/s, dropped " << total_rate(drops_of(cur), prev.is_object() ? drops_of(prev) : 0)
     << " pkt/s (" << drops_of(cur) << " dropped in all)\n";
}

void print_table(std::ostream &os, const json &r) {
  const json backends = r.value("backends", json::object());
  os << "VIP " << str(r, "vip") << "  table size " << str(r, "table_size") << "  generation "
     << str(r, "generation") << "\n";
  os << "SLOT  BACKEND\n";
  const json slots = arr(r, "slots");
  std::map<uint64_t, std::string> names;
  for (const auto &[id, b] : backends.items()) {
    names[std::stoull(id)] = backend_label(b) + " [id " + id + "]";
  }
  const uint64_t empty = u64(r, "empty_slot");
  const size_t width = std::max<size_t>(4, std::to_string(slots.size()).size());
  std::string out;
  for (size_t s = 0; s < slots.size(); ++s) {
    const uint64_t id = slots[s].is_number_unsigned() ? slots[s].get<uint64_t>() : empty;
    const auto it = names.find(id);
    std::string slot = std::to_string(s);
    slot.insert(0, width - slot.size(), ' ');  // right-aligned under SLOT
    out += slot + "  " +
           (id == empty         ? std::string("(empty)")
            : it != names.end() ? it->second
                                : "id " + std::to_string(id)) +
           "\n";
  }
  os << out;
}

void print_trace(std::ostream &os, const json &r) {
  os << "flow " << str(r, "source") << " -> " << str(r, "destination") << "\n";
  size_t i = 1;
  for (const json &s : arr(r, "steps")) os << "  " << i++ << ". " << s.get<std::string>() << "\n";
  const std::string verdict = str(r, "verdict");
  if (verdict == "forward") {
    os << "new flow goes to " << backend_label(r.value("backend", json::object())) << "\n";
  } else {
    os << "verdict: " << verdict << "\n";
  }
}

void print_reload(std::ostream &os, const json &r) {
  if (r.value("changed", false)) {
    os << "reloaded " << str(r, "file") << ": generation " << str(r, "generation")
       << " installed\n";
  } else {
    os << "reloaded " << str(r, "file") << ": no change\n";
  }
}

void print_diff(std::ostream &os, const json &r) {
  if (!r.value("changed", false)) {
    os << "no difference\n";
  }
  for (const json &v : arr(r, "vips")) {
    const std::string change = str(v, "change");
    if (change == "unchanged") continue;
    os << "VIP " << str(v, "vip") << ": " << change;
    if (v.contains("moved_share")) {
      os << ", " << percent(v.value("moved_share", 0.0)) << " of new flows move"
         << (v.value("moved_estimated", false) ? " (estimated: table size changes)" : "");
    }
    os << "\n";
    for (const json &a : arr(v, "backends_added"))
      os << "  + backend " << a.get<std::string>() << "\n";
    for (const json &a : arr(v, "backends_removed"))
      os << "  - backend " << a.get<std::string>() << "\n";
    for (const json &w : arr(v, "weight_changes")) {
      os << "  ~ backend " << str(w, "address") << " weight " << str(w, "from") << " -> "
         << str(w, "to") << "\n";
    }
    for (const json &s : arr(v, "settings_changed")) os << "  ~ " << s.get<std::string>() << "\n";
    if (v.contains("error")) os << "  ! " << str(v, "error") << "\n";
  }
  for (const json &o : arr(r, "other_changes")) os << "~ " << o.get<std::string>() << "\n";
  for (const json &o : arr(r, "restart_required")) {
    os << "! " << o.get<std::string>() << " (reload would be rejected)\n";
  }
}

void print_config(std::ostream &os, const json &r) {
  os << r.value("config", json::object()).dump(2) << "\n";
}

}  // namespace maglb::cli
