// Config fields a running daemon cannot change: where it listens and which
// dataplane it drives were fixed at start-up. A reload that changes one is
// rejected (the operator restarts maglbd instead); fields only the
// dataplane reads at its own start (cores, queues, flow-table size) are
// accepted and named in a warning.
#pragma once

#include <string>
#include <vector>

#include "config.h"

namespace maglb::daemon {

// "dataplane.mode: changed from xdp to dpdk; restart maglbd to apply", ...
std::vector<std::string> restart_required_changes(const config::Config &running,
                                                  const config::Config &next);

// "dataplane.cores", ... : changed fields the dataplane reads only when it starts.
std::vector<std::string> dataplane_start_only_changes(const config::Config &running,
                                                      const config::Config &next);

}  // namespace maglb::daemon
