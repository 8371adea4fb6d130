// The daemon's one config file: the only path any request can make it read
// or write (reload re-reads it, runtime changes rewrite it atomically).
// Remembers the bytes it last read or wrote, so a runtime change never
// overwrites an operator's edit that has not been reloaded yet.
#pragma once

#include <optional>
#include <string>

#include "config.h"
#include "config_parse.h"

namespace maglb::daemon {

class ConfigStore {
 public:
  explicit ConfigStore(std::string path) : path_(std::move(path)) {}

  const std::string &path() const { return path_; }

  // Reads and parses the file. *content receives the bytes read (empty if
  // unreadable); pass them to accept() once the config is running.
  config::ParseResult read(std::string *content) const;
  void accept(std::string content) { known_ = std::move(content); }

  // "" when the file still holds what the daemon last read or wrote; else
  // why a rewrite would lose someone's edit.
  std::string check_unchanged() const;

  // Rewrites the file with the canonical JSON of `config` (atomically) and
  // remembers it. "" or the error (the file is then unchanged).
  std::string save(const config::Config &config);

 private:
  const std::string path_;
  std::optional<std::string> known_;
};

}  // namespace maglb::daemon
