// Whole-file reads and crash-safe whole-file replacement.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace maglb::daemon {

// Replaces `path` with `content` so that a reader (or a crash at any point)
// sees either the old file or the new one, never a mix: a temporary file in
// the same directory (rename is atomic only within one file system), write,
// fsync, rename over `path`, fsync the directory (so the rename itself
// survives a power loss). An existing file's mode is kept; a new file gets
// 0600. Returns "" or an error naming the step; on error `path` is
// untouched and the temporary file removed.
std::string write_file_atomically(const std::string &path, std::string_view content);

// The whole file, or nullopt and *error ("cannot read PATH: reason"); files
// larger than max_bytes are an error.
std::optional<std::string> read_whole_file(const std::string &path, size_t max_bytes,
                                           std::string *error);

}  // namespace maglb::daemon
