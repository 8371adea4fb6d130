#include "listen_socket.h"

#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace maglb::daemon {
namespace {

std::string errno_text(const std::string &what) {
  return what + ": " + std::strerror(errno);
}

// mkdir -p for the socket's parent directories.
bool make_parents(const std::string &path, std::string *error) {
  for (size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    const std::string dir = path.substr(0, pos);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      *error = errno_text("cannot create directory " + dir);
      return false;
    }
  }
  return true;
}

bool fill_unix(const std::string &path, sockaddr_un *addr, std::string *error) {
  *addr = {};
  addr->sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr->sun_path)) {
    *error = "control socket path '" + path + "' is empty or too long";
    return false;
  }
  std::memcpy(addr->sun_path, path.data(), path.size());
  return true;
}

}  // namespace

int listen_unix(const std::string &path, std::optional<gid_t> group, std::string *error) {
  sockaddr_un addr;
  if (!fill_unix(path, &addr, error) || !make_parents(path, error)) return -1;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      *error = path + " exists and is not a socket; not removing it";
      return -1;
    }
    const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0 && ::connect(probe, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0) {
      ::close(probe);
      *error = "another process (maglbd already running?) listens on " + path;
      return -1;
    }
    if (probe >= 0) ::close(probe);
    ::unlink(path.c_str());  // stale: left by a daemon that did not exit cleanly
  }
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = errno_text("socket");
    return -1;
  }
  // The file bind() creates gets 0777 & ~umask: with umask 0177 it is 0600
  // from its first moment, so no other user can connect before a chmod.
  const mode_t old = ::umask(0177);
  const int r = ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr));
  ::umask(old);
  if (r == 0 && group &&
      (::chown(path.c_str(), static_cast<uid_t>(-1), *group) != 0 ||
       ::chmod(path.c_str(), 0660) != 0)) {
    *error = errno_text("cannot give " + path + " to gid " + std::to_string(*group));
    ::close(fd);
    ::unlink(path.c_str());
    return -1;
  }
  if (r != 0 || ::listen(fd, 64) != 0) {
    *error = errno_text("cannot listen on " + path);
    ::close(fd);
    return -1;
  }
  return fd;
}

std::optional<gid_t> lookup_group(const std::string &name, std::string *error) {
  std::vector<char> buf(16384);
  group g{};
  group *found = nullptr;
  const int r = ::getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found);
  if (found == nullptr) {
    *error = "control.socket_group: no group '" + name + "'" +
             (r != 0 ? std::string(": ") + std::strerror(r) : std::string());
    return std::nullopt;
  }
  return found->gr_gid;
}

int listen_tcp(const config::Endpoint &endpoint, std::string *error) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (endpoint.address.is_v4()) {
    auto *sin = reinterpret_cast<sockaddr_in *>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(endpoint.port);
    std::memcpy(&sin->sin_addr, endpoint.address.bytes.data(), 4);
    len = sizeof(*sin);
  } else {
    auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(endpoint.port);
    std::memcpy(&sin6->sin6_addr, endpoint.address.bytes.data(), 16);
    len = sizeof(*sin6);
  }
  const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = errno_text("socket");
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr *>(&ss), len) != 0 || ::listen(fd, 64) != 0) {
    *error = errno_text("cannot listen on " + config::format_endpoint(endpoint));
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace maglb::daemon
