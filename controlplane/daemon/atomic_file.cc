#include "atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace maglb::daemon {
namespace {

std::string errno_text(const std::string &what) {
  return what + ": " + std::strerror(errno);
}

// Closes the fd and removes the temporary file unless released.
struct TempFile {
  int fd = -1;
  std::string path;
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    if (!path.empty()) ::unlink(path.c_str());
  }
};

}  // namespace

std::string write_file_atomically(const std::string &path, std::string_view content) {
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty()) return "cannot write '" + path + "': not a file name";

  mode_t mode = 0600;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) return "cannot write " + path + ": not a regular file";
    mode = st.st_mode & 07777;
  }

  TempFile tmp;
  std::string pattern = dir + "/." + base + ".tmp.XXXXXX";
  tmp.fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (tmp.fd < 0) return errno_text("cannot create a temporary file in " + dir);
  tmp.path = pattern;
  if (::fchmod(tmp.fd, mode) != 0) return errno_text("chmod " + tmp.path);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(tmp.fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return errno_text("write " + tmp.path);
    done += static_cast<size_t>(n);
  }
  if (::fsync(tmp.fd) != 0) return errno_text("fsync " + tmp.path);
  if (::close(tmp.fd) != 0) {
    tmp.fd = -1;
    return errno_text("close " + tmp.path);
  }
  tmp.fd = -1;
  if (::rename(tmp.path.c_str(), path.c_str()) != 0) {
    return errno_text("rename " + tmp.path + " to " + path);
  }
  tmp.path.clear();  // it is `path` now
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return errno_text("open directory " + dir);
  const int r = ::fsync(dfd);
  ::close(dfd);
  if (r != 0) return errno_text("fsync directory " + dir);
  return "";
}

std::optional<std::string> read_whole_file(const std::string &path, size_t max_bytes,
                                           std::string *error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = errno_text("cannot read " + path);
    return std::nullopt;
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = errno_text("cannot read " + path);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      *error = "cannot read " + path + ": larger than " + std::to_string(max_bytes) + " bytes";
      ::close(fd);
      return std::nullopt;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace maglb::daemon
