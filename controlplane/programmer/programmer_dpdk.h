// Programmer adapter for the DPDK dataplane process, over its control
// socket (controlplane/dpdk_client). Keeps the last installed blob so that
// a restarted dataplane process gets its settings and tables back from
// check() without waiting for the next config change.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dpdk_client.h"
#include "programmer.h"

namespace maglb::programmer {

class DpdkProgrammer : public Programmer {
 public:
  // interface_json: the SET_INTERFACE document (see dpdk_interface_json.h),
  // sent on every new connection. timeout bounds each request.
  DpdkProgrammer(std::string socket_path, std::string interface_json,
                 std::chrono::milliseconds timeout, NoteFn notes);

  std::string name() const override { return "dpdk"; }
  std::string open(uint64_t *installed_generation) override;
  std::string program(std::span<const uint8_t> blob) override;
  std::string stats(nlohmann::json *out) override;
  std::string check() override;
  std::string stop_forwarding() override;

 private:
  // Connects and sends SET_INTERFACE when there is no live connection.
  std::string ensure_connected(bool *fresh);
  std::string install(std::span<const uint8_t> blob, bool stale_is_ok);
  // GET_STATS, raw (docs/dataplane.md), connecting first if needed.
  std::string fetch_stats(nlohmann::json *doc);

  const std::string socket_path_;
  const std::string interface_json_;
  const std::chrono::milliseconds timeout_;
  std::unique_ptr<dpdk_client::Client> client_;
  const NoteFn notes_;
  std::vector<uint8_t> last_blob_;
};

}  // namespace maglb::programmer
