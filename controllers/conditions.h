// Helpers for status.conditions[] in the metav1.Condition shape
// ({type, status, reason, message, observedGeneration, lastTransitionTime}).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace modelgate::controllers {

using json = nlohmann::json;

struct Condition {
  std::string type;     // e.g. "Accepted", "Invalid", "Ready"
  std::string status;   // "True", "False" or "Unknown"
  std::string reason;   // CamelCase, e.g. "SpecAccepted"
  std::string message;  // a sentence a person can act on
  long long observed_generation = 0;
};

// Sets `condition` in the array `conditions` (created if null). lastTransitionTime is set to `now`
// only when the condition is new or its status changes; reason/message/observedGeneration are
// always updated. Returns true when anything changed.
bool SetCondition(json& conditions, const Condition& condition, std::chrono::system_clock::time_point now);

// Removes the condition of that type. Returns true when one was removed.
bool RemoveCondition(json& conditions, const std::string& type);

// The condition of that type, if present.
std::optional<json> FindCondition(const json& conditions, const std::string& type);


}  // namespace modelgate::controllers
