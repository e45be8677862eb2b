#include "controllers/conditions.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace modelgate::controllers {

bool SetCondition(json& conditions, const Condition& condition,
                  std::chrono::system_clock::time_point now) {
  if (!conditions.is_array()) conditions = json::array();
  json desired = {{"type", condition.type},
                  {"status", condition.status},
                  {"reason", condition.reason},
                  {"message", condition.message},
                  {"observedGeneration", condition.observed_generation}};
  for (auto& existing : conditions) {
    if (existing.value("type", "") != condition.type) continue;
    const bool status_changed = existing.value("status", "") != condition.status;
    desired["lastTransitionTime"] =
        status_changed ? FormatTime(now) : existing.value("lastTransitionTime", FormatTime(now));
    if (existing == desired) return false;
    existing = std::move(desired);
    return true;
  }
  desired["lastTransitionTime"] = FormatTime(now);
  conditions.push_back(std::move(desired));
  return true;
}

bool RemoveCondition(json& conditions, const std::string& type) {
  if (!conditions.is_array()) return false;
  for (auto it = conditions.begin(); it != conditions.end(); ++it) {
    if (it->value("type", "") == type) {
      conditions.erase(it);
      return true;
    }
  }
  return false;
}

std::optional<json> FindCondition(const json& conditions, const std::string& type) {
  if (!conditions.is_array()) return std::nullopt;
  for (const auto& c : conditions) {
    if (c.value("type", "") == type) return c;
  }
  return std::nullopt;
}

std::string FormatTime(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<std::chrono::system_clock::time_point> ParseTime(const std::string& text) {
  int year, month, day, hour, minute, second;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::size_t pos = static_cast<std::size_t>(consumed);
  long long micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    long long scale = 100000;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      micros += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
  }
  long offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset_seconds = (oh * 3600L + om * 60L) * (text[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t secs = timegm(&tm) - offset_seconds;
  return std::chrono::system_clock::from_time_t(secs) + std::chrono::microseconds(micros);
}

}  // namespace modelgate::controllers
