#include "controllers/conditions.h"

#include "operator/kube/time_format.h"

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
        status_changed ? kube::FormatTime(now) : existing.value("lastTransitionTime", kube::FormatTime(now));
    if (existing == desired) return false;
    existing = std::move(desired);
    return true;
  }
  desired["lastTransitionTime"] = kube::FormatTime(now);
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

}  // namespace modelgate::controllers
