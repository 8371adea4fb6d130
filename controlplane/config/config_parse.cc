#include "config_parse.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <nlohmann/json.hpp>

#include "config_bgp_rules.h"
#include "config_json_reader.h"
#include "config_json_syntax.h"
#include "config_sections.h"
#include "config_validate.h"

namespace maglb::config {

namespace {

ParseResult rejected(ErrorList &errors) {
  return ParseResult{std::nullopt, errors.take()};
}

// A config with every VIP and backend the ABI allows is a few MiB; a file
// far beyond that is a mistake (a wrong path), not a config.
constexpr size_t kMaxFileBytes = 64u << 20;

}  // namespace

ParseResult parse_config_text(std::string_view json_text) {
  ErrorList errors;
  if (!check_json_syntax(json_text, errors)) return rejected(errors);
  const nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) {
    // The SAX pass accepted what parse() refuses: cannot happen, but the
    // DOM parser has the last word.
    errors.add("", "not valid JSON");
    return rejected(errors);
  }
  if (!doc.is_object()) {
    errors.add("", "the top level must be a JSON object");
    return rejected(errors);
  }

  Config config;
  ObjectReader root(doc, "", errors);
  if (const auto *dp = root.field("dataplane", Presence::kRequired)) {
    config.dataplane = parse_dataplane(*dp, errors);
  }
  if (const auto *control = root.field("control", Presence::kOptional)) {
    config.control = parse_control(*control, errors);
  }
  if (const auto *vips = root.field("vips", Presence::kRequired)) {
    config.vips = parse_vips(*vips, errors);
  }
  if (const auto *bgp = root.field("bgp", Presence::kOptional)) {
    config.bgp = parse_bgp(*bgp, errors);
  }
  root.finish();
  complete_bgp(config, errors);
  validate_config(config, errors);
  if (!errors.empty()) return rejected(errors);
  return ParseResult{std::move(config), {}};
}

ParseResult load_config_file(const std::string &path) {
  const auto fail = [&path](const std::string &why) {
    return ParseResult{std::nullopt, {ConfigError{"", "cannot read " + path + ": " + why}}};
  };
  std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return fail(std::strerror(errno));

  std::string text;
  char buf[65536];
  for (;;) {
    const size_t n = std::fread(buf, 1, sizeof(buf), file.get());
    text.append(buf, n);
    if (text.size() > kMaxFileBytes) {
      return fail("larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB");
    }
    if (n < sizeof(buf)) break;
  }
  // fopen() succeeds on a directory; the read is what fails (EISDIR).
  if (std::ferror(file.get())) return fail(std::strerror(errno));
  return parse_config_text(text);
}

}  // namespace maglb::config
