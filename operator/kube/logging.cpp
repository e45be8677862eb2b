#include "operator/kube/logging.h"

#include "operator/kube/time_format.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace modelgate {
namespace {

std::atomic<bool> g_json{true};

spdlog::level::level_enum ParseLevel(std::string_view level, bool* ok) {
  *ok = true;
  if (level == "trace") return spdlog::level::trace;
  if (level == "debug") return spdlog::level::debug;
  if (level == "info") return spdlog::level::info;
  if (level == "warn" || level == "warning") return spdlog::level::warn;
  if (level == "error") return spdlog::level::err;
  *ok = false;
  return spdlog::level::info;
}

// Separates the message from the serialized fields inside one spdlog payload (see LogEvent).
constexpr char kFieldSeparator = '\x1f';

// Turns every log record, including plain spdlog calls from library code, into one JSON object per
// line: {"ts":…,"level":…,"msg":…, fields…}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string_view payload(msg.payload.data(), msg.payload.size());
    // Ordered: ts, level, msg, then the fields in the order they were given.
    nlohmann::ordered_json fields;
    if (const auto sep = payload.find(kFieldSeparator); sep != std::string_view::npos) {
      fields = nlohmann::ordered_json::parse(payload.substr(sep + 1), nullptr, false);
      payload = payload.substr(0, sep);
    }
    nlohmann::ordered_json line = {{"ts", kube::FormatMicroTime(msg.time)},
                                   {"level", std::string(spdlog::level::to_string_view(msg.level).data())},
                                   {"msg", std::string(payload)}};
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) line[key] = value;
    }
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

bool ConfigureLogging(std::string_view format, std::string_view level, std::string* error) {
  bool ok = false;
  const auto parsed = ParseLevel(level, &ok);
  if (!ok) {
    *error = "--log-level: expected trace|debug|info|warn|error, got '" + std::string(level) + "'";
    return false;
  }
  if (format != "json" && format != "text") {
    *error = "--log-format: expected json|text, got '" + std::string(format) + "'";
    return false;
  }
  g_json = format == "json";
  auto logger = spdlog::stderr_logger_mt("modelgate");
  if (g_json) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  return true;
}

namespace {

// One log line of `fields` (nlohmann::json: sorted keys; ordered_json: as given).
template <typename Json>
void Log(std::string_view level, std::string_view message, const Json& fields) {
  bool ok = false;
  const auto lvl = ParseLevel(level, &ok);
  if (!spdlog::should_log(lvl)) return;
  if (g_json) {
    spdlog::log(lvl, "{}{}{}", message, kFieldSeparator, fields.dump(-1, ' ', false, Json::error_handler_t::replace));
  } else {
    std::string text(message);
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) {
        text += " " + key + "=" + (value.is_string() ? value.template get<std::string>() : value.dump());
      }
    }
    spdlog::log(lvl, "{}", text);
  }
}

}  // namespace

void LogEvent(std::string_view level, std::string_view message, const nlohmann::json& fields) {
  Log(level, message, fields);
}

void LogEventOrdered(std::string_view level, std::string_view message, const nlohmann::ordered_json& fields) {
  Log(level, message, fields);
}

}  // namespace modelgate
