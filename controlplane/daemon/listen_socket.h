// Listening sockets of the daemon: the control socket (Unix, 0600, only
// root and the daemon's own user get in) and the metrics listener (TCP).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "config_address.h"

namespace maglb::daemon {

// Creates the parent directory if needed (0755), refuses to start when
// another process answers on `path`, removes a stale socket file left by a
// crash (never any other kind of file), binds with mode 0600 from the
// start (umask, not a chmod race) and listens. Non-blocking, close-on-exec.
// With `group`, the socket is then handed to that group and opened to it
// (0660 root:group) once bound, before listen(): no client of any other
// group can connect in between. Returns the fd, or -1 and *error.
int listen_unix(const std::string &path, std::optional<gid_t> group, std::string *error);

// The gid of group `name`, or nullopt and *error.
std::optional<gid_t> lookup_group(const std::string &name, std::string *error);

// TCP listener on `endpoint` (SO_REUSEADDR), non-blocking. -1 and *error.
int listen_tcp(const config::Endpoint &endpoint, std::string *error);

}  // namespace maglb::daemon
