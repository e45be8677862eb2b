// The output of a pure reconcile decision: the status the object should have, the Events that
// explain the change, and when to look again. Decisions never talk to the API server; the effect
// layer (status_reconciler.h) writes what they return.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace modelgate::controllers {

struct EventSpec {
  std::string type;    // "Normal" or "Warning"
  std::string reason;  // distinct per transition, e.g. "Accepted", "InvalidSpec"
  std::string action;  // what the controller did, e.g. "Validate"
  std::string note;    // a sentence for `kubectl describe`
};

struct Decision {
  nlohmann::json status;          // the full desired .status
  bool status_changed = false;    // true when status differs from the observed .status
  std::vector<EventSpec> events;  // to record after the status write succeeded
  std::optional<std::chrono::milliseconds> requeue_after;
};

}  // namespace modelgate::controllers
