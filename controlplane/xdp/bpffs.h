// The BPF filesystem, where the XDP dataplane pins its maps so that a
// restarted control plane finds the running program's state again.
#pragma once

#include <string>

namespace maglb::xdp {

// Makes sure `mount_point` (normally /sys/fs/bpf) is a bpffs, mounting one
// if it is not: `ip netns exec` remounts /sys, which hides the host's
// bpffs. Returns an empty string on success, else what failed.
std::string ensure_bpffs(const std::string &mount_point);

// mkdir -p with mode 0700. Empty string on success.
std::string make_dirs(const std::string &path);

}  // namespace maglb::xdp
