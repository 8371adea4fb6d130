// Structured log lines on stderr, one event per line:
//   ts=2024-05-01T12:00:00.123Z level=info msg="snapshot installed" generation=7
// Values with spaces, quotes or '=' are quoted with Go-style escapes so that
// logfmt tools read them back. Thread-safe (the health checker thread logs
// too); never used on a packet path.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace maglb::daemon {

enum class LogLevel : uint8_t { kDebug, kInfo, kWarn, kError, kAlert };

const char *to_string(LogLevel level);
// "debug", "info", "warn", "error", "alert"; nullopt for anything else.
std::optional<LogLevel> parse_log_level(std::string_view text);

using LogField = std::pair<std::string_view, std::string>;

class Logger {
 public:
  explicit Logger(std::ostream &out, LogLevel min_level = LogLevel::kInfo)
      : out_(out), min_level_(min_level) {}

  void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
  void info(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    log(LogLevel::kInfo, msg, fields);
  }
  void warn(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    log(LogLevel::kWarn, msg, fields);
  }
  void error(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    log(LogLevel::kError, msg, fields);
  }
  void alert(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    log(LogLevel::kAlert, msg, fields);
  }

 private:
  std::ostream &out_;
  const LogLevel min_level_;
  std::mutex mu_;
};

// A logfmt value: as is when it needs no quoting, else "..." with \" \\ \n.
std::string logfmt_value(std::string_view v);

}  // namespace maglb::daemon
