#include "operator/kube/time_format.h"

#include <cstdint>
#include <cstdio>
#include <ctime>

namespace modelgate::kube {
namespace {

// Splits t into whole seconds since the epoch (floored, also before 1970) and microseconds.
void Split(TimePoint t, std::time_t* secs, int64_t* micros) {
  const int64_t total =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  *secs = static_cast<std::time_t>(total / 1000000);
  *micros = total % 1000000;
  if (*micros < 0) {
    *micros += 1000000;
    --*secs;
  }
}

std::string Format(TimePoint t, bool with_micros) {
  std::time_t secs = 0;
  int64_t micros = 0;
  Split(t, &secs, &micros);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  if (with_micros) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(micros));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  return buf;
}

}  // namespace

std::string FormatTime(TimePoint t) { return Format(t, false); }
std::string FormatMicroTime(TimePoint t) { return Format(t, true); }

std::optional<TimePoint> ParseRfc3339(std::string_view text) {
  const std::string s(text);
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) {
        micros = micros * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    while (digits++ < 6) micros *= 10;
  }
  int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
    // UTC
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    int hours = 0;
    int minutes = 0;
    if (std::sscanf(s.c_str() + pos + 1, "%2d:%2d", &hours, &minutes) != 2) return std::nullopt;
    offset_seconds = (hours * 3600 + minutes * 60) * (s[pos] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  const std::time_t secs = timegm(&tm);
  return TimePoint{} + std::chrono::duration_cast<TimePoint::duration>(
                           std::chrono::seconds(secs - offset_seconds) + std::chrono::microseconds(micros));
}

}  // namespace modelgate::kube
