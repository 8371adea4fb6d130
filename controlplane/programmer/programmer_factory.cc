// Picks the adapter for the configured dataplane. The XDP adapter is
// compiled only when the XDP library is part of the build (meson defines
// MAGLB_HAVE_XDP), so the tree builds while that library is absent.
#include <chrono>

#include "dpdk_interface_json.h"
#include "programmer.h"
#include "programmer_dpdk.h"
#if MAGLB_HAVE_XDP
#include "programmer_xdp.h"
#endif

namespace maglb::programmer {

// A 5,000,011-slot table is a 20 MB blob the dataplane validates in full
// before answering: allow for that, but never wait forever on a stuck peer.
constexpr std::chrono::milliseconds kDpdkRequestTimeout{5000};

std::unique_ptr<Programmer> make_programmer(const config::Config &config, NoteFn notes,
                                            std::string *error) {
  const config::DataplaneConfig &dp = config.dataplane;
  if (dp.mode == config::DataplaneMode::kDpdk) {
    const std::string socket = dp.dpdk ? dp.dpdk->socket : config::DpdkConfig{}.socket;
    return std::make_unique<DpdkProgrammer>(socket, interface_json_of(dp), kDpdkRequestTimeout,
                                            std::move(notes));
  }
#if MAGLB_HAVE_XDP
  (void)error;
  return std::make_unique<XdpProgrammer>(dp.interfaces, dp.flow_table.entries_per_core,
                                         std::move(notes));
#else
  (void)notes;
  *error = "dataplane mode xdp: this maglbd was built without the XDP library";
  return nullptr;
#endif
}

}  // namespace maglb::programmer
