// Logging set-up for the operator: spdlog with either one JSON object per line (the default, for
// log pipelines) or human text. Structured fields are passed as a JSON object and merged into the
// line, so an operator at 3 a.m. can filter by namespace/name/model/gate.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace modelgate {

// format: "json" or "text"; level: trace|debug|info|warn|error. Returns false with `error` set for
// an unknown value. Call once at start-up, before any thread logs.
bool ConfigureLogging(std::string_view format, std::string_view level, std::string* error);

// Logs `message` at `level` ("info", "warn", "error", "debug") with the given fields:
// JSON format: {"ts":…,"level":…,"msg":…, <fields>}; text format: "msg key=value …".
void LogEvent(std::string_view level, std::string_view message, const nlohmann::json& fields);

// The same with the fields in the order given (e.g. an audit record, whose key order is part of
// its format) instead of sorted.
void LogEventOrdered(std::string_view level, std::string_view message, const nlohmann::ordered_json& fields);

}  // namespace modelgate
