// Kubernetes time formats. metav1.Time is RFC 3339 with second precision
// ("2026-11-26T04:56:34Z"); metav1.MicroTime (Lease renewTime, Event eventTime) has microseconds
// ("2026-11-26T04:56:34.123456Z"). Both are always written in UTC.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace modelgate::kube {

using TimePoint = std::chrono::system_clock::time_point;

// "2026-11-26T04:56:34Z" (sub-second part truncated), as metav1.Time serializes.
std::string FormatTime(TimePoint t);
// "2026-11-26T04:56:34.123456Z", as metav1.MicroTime serializes.
std::string FormatMicroTime(TimePoint t);
// Parses RFC 3339: "Z" or "±hh:mm" offset, optional fraction (digits past microseconds are
// ignored). nullopt when malformed or out of range (month 13, minute 60, trailing text, …).
std::optional<TimePoint> ParseRfc3339(std::string_view text);

}  // namespace modelgate::kube
