#include "config_json_syntax.h"

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace maglb::config {

namespace {

using json = nlohmann::json;

// A json_sax implementation that keeps only the container stack (for
// paths), the keys seen per object and the first error.
class SyntaxChecker {
 public:
  explicit SyntaxChecker(ErrorList &errors) : errors_(errors) {}

  bool null() { return value(); }
  bool boolean(bool) { return value(); }
  bool number_integer(json::number_integer_t) { return value(); }
  bool number_unsigned(json::number_unsigned_t) { return value(); }
  bool number_float(json::number_float_t, const json::string_t &) { return value(); }
  bool string(json::string_t &) { return value(); }
  bool binary(json::binary_t &) { return value(); }

  bool start_object(std::size_t) {
    stack_.push_back(Frame{true, next_path(), {}, {}, 0});
    return true;
  }
  bool key(json::string_t &key) {
    Frame &frame = stack_.back();
    frame.key = key;
    if (!frame.keys.insert(key).second) {
      errors_.add(join(frame.path, key), "duplicate field (only one of each is allowed)");
    }
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    stack_.push_back(Frame{false, next_path(), {}, {}, 0});
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }

  bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &ex) {
    // ex.what() is "[json.exception.parse_error.101] parse error at line 3,
    // column 5: ..."; the bracketed id means nothing to an operator.
    std::string message = ex.what();
    const size_t end_of_id = message.find("] ");
    if (message.rfind("[json.exception", 0) == 0 && end_of_id != std::string::npos) {
      message.erase(0, end_of_id + 2);
    }
    errors_.add("", "not valid JSON: " + message);
    return false;
  }

 private:
  struct Frame {
    bool is_object;
    std::string path;
    std::set<std::string> keys;
    std::string key;    // current key (objects)
    size_t next_index;  // next element index (arrays)
  };

  // The path of the value that starts now, inside the innermost container.
  std::string next_path() {
    if (stack_.empty()) return "";
    Frame &frame = stack_.back();
    return frame.is_object ? join(frame.path, frame.key) : index(frame.path, frame.next_index++);
  }
  bool value() {
    next_path();
    return true;
  }

  ErrorList &errors_;
  std::vector<Frame> stack_;
};

bool only_whitespace(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

bool check_json_syntax(std::string_view text, ErrorList &errors) {
  if (only_whitespace(text)) {
    errors.add("", "empty config (expected a JSON object)");
    return false;
  }
  SyntaxChecker checker(errors);
  return json::sax_parse(text, &checker, json::input_format_t::json, true);
}

}  // namespace maglb::config
