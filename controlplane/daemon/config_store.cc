#include "config_store.h"

#include "atomic_file.h"
#include "config_serialize.h"

namespace maglb::daemon {

// docs/config.md: larger files are rejected by the parser as well.
constexpr size_t kMaxConfigBytes = 64u << 20;

config::ParseResult ConfigStore::read(std::string *content) const {
  std::string error;
  auto text = read_whole_file(path_, kMaxConfigBytes, &error);
  if (!text) {
    content->clear();
    config::ParseResult r;
    r.errors.push_back({"", error});
    return r;
  }
  *content = std::move(*text);
  return config::parse_config_text(*content);
}

std::string ConfigStore::check_unchanged() const {
  std::string error;
  const auto text = read_whole_file(path_, kMaxConfigBytes, &error);
  if (!text) return error;
  if (known_ && *text == *known_) return "";
  return path_ +
         " changed on disk since maglbd last read it; run 'maglbctl reload' (or undo the edit) "
         "before changing the config at runtime, so that neither change is lost";
}

std::string ConfigStore::save(const config::Config &config) {
  std::string text = config::to_json(config).dump(2) + "\n";
  if (std::string e = write_file_atomically(path_, text); !e.empty()) return e;
  known_ = std::move(text);
  return "";
}

}  // namespace maglb::daemon
