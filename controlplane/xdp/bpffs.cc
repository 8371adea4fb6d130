#include "bpffs.h"

#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <cerrno>
#include <cstring>

namespace maglb::xdp {

std::string make_dirs(const std::string &path) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      return "mkdir " + prefix + ": " + std::strerror(errno);
  }
  return "";
}

std::string ensure_bpffs(const std::string &mount_point) {
  struct statfs fs {};
  if (statfs(mount_point.c_str(), &fs) == 0 && fs.f_type == BPF_FS_MAGIC) return "";
  if (std::string err = make_dirs(mount_point); !err.empty()) return err;
  if (mount("bpf", mount_point.c_str(), "bpf", 0, "mode=0700") != 0)
    return "mount bpffs on " + mount_point + ": " + std::strerror(errno);
  return "";
}

}  // namespace maglb::xdp
