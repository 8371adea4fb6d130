#include "programmer_dpdk.h"

#include "dpdk_stats.h"

namespace maglb::programmer {

DpdkProgrammer::DpdkProgrammer(std::string socket_path, std::string interface_json,
                               std::chrono::milliseconds timeout, NoteFn notes)
    : socket_path_(std::move(socket_path)),
      interface_json_(std::move(interface_json)),
      timeout_(timeout),
      notes_(std::move(notes)) {}

std::string DpdkProgrammer::ensure_connected(bool *fresh) {
  *fresh = false;
  if (client_ && client_->connected()) return "";
  std::string error;
  client_ = dpdk_client::Client::connect(socket_path_, timeout_, &error);
  if (!client_) return "dpdk dataplane: " + error;
  *fresh = true;
  dpdk_client::Reply r = client_->set_interface(interface_json_);
  if (!r.ok()) {
    client_.reset();
    return "dpdk dataplane: SET_INTERFACE " + dpdk_client::status_name(r.status) + ": " + r.message;
  }
  return "";
}

std::string DpdkProgrammer::fetch_stats(nlohmann::json *doc) {
  bool fresh = false;
  if (std::string e = ensure_connected(&fresh); !e.empty()) return e;
  dpdk_client::Reply r = client_->get_stats(doc);
  if (r.ok()) return "";
  return "dpdk dataplane: GET_STATS " + dpdk_client::status_name(r.status) + ": " + r.message;
}

std::string DpdkProgrammer::open(uint64_t *installed_generation) {
  client_.reset();
  nlohmann::json doc;
  if (std::string e = fetch_stats(&doc); !e.empty()) return e;
  const auto it = doc.find("generation");
  *installed_generation = it != doc.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
  return "";
}

std::string DpdkProgrammer::install(std::span<const uint8_t> blob, bool stale_is_ok) {
  dpdk_client::Reply r = client_->install_snapshot(blob);
  if (r.ok() || (stale_is_ok && r.status == MAGLB_CTL_STALE)) return "";
  return "dpdk dataplane: INSTALL_SNAPSHOT " + dpdk_client::status_name(r.status) + ": " +
         r.message;
}

std::string DpdkProgrammer::program(std::span<const uint8_t> blob) {
  bool fresh = false;
  std::string error = ensure_connected(&fresh);
  if (error.empty()) error = install(blob, false);
  if (!error.empty() && !fresh && !(client_ && client_->connected())) {
    // The connection broke (dataplane restarted?): one more try on a new
    // one. A refused blob leaves the connection open and is not retried.
    error = ensure_connected(&fresh);
    if (error.empty()) error = install(blob, false);
  }
  if (error.empty()) last_blob_.assign(blob.begin(), blob.end());
  return error;
}

std::string DpdkProgrammer::stats(nlohmann::json *out) {
  nlohmann::json doc;
  if (std::string e = fetch_stats(&doc); !e.empty()) return e;
  return normalize_dpdk_stats(doc, out);
}

std::string DpdkProgrammer::stop_forwarding() {
  bool fresh = false;
  if (std::string e = ensure_connected(&fresh); !e.empty()) return e;
  dpdk_client::Reply r = client_->stop_forwarding();
  return r.ok() ? "" : "dpdk dataplane: STOP_FORWARDING " + r.message;
}

std::string DpdkProgrammer::check() {
  bool fresh = false;
  if (std::string e = ensure_connected(&fresh); !e.empty()) return e;
  if (!fresh) {
    dpdk_client::Reply r = client_->ping();
    if (r.ok()) return "";
    if (client_->connected()) return "dpdk dataplane: PING " + r.message;
    if (std::string e = ensure_connected(&fresh); !e.empty()) return e;
  }
  // A new connection may be a new dataplane process with no tables: give
  // it the last snapshot. STALE means it already has it (or a newer one).
  if (last_blob_.empty()) return "";
  if (std::string e = install(last_blob_, true); !e.empty()) return e;
  if (notes_)
    notes_(NoteLevel::kInfo,
           "reconnected to the dpdk dataplane and re-sent its settings and tables");
  return "";
}

}  // namespace maglb::programmer
