// What one reconcile of one key returns to the controller loop (operator/controller.h):
//   status not OK           -> retried with per-key exponential backoff (AddRateLimited)
//   requeue_after set       -> looked at again after that delay (AddAfter), backoff forgotten
//   otherwise               -> done until the next watch event (backoff forgotten)
#pragma once

#include <chrono>
#include <optional>

#include "operator/kube/status.h"

namespace modelgate::controllers {

struct ReconcileOutcome {
  kube::Status status;
  std::optional<std::chrono::milliseconds> requeue_after;

  static ReconcileOutcome Done() { return {}; }
  static ReconcileOutcome Retry(kube::Status s) { return {std::move(s), std::nullopt}; }
  static ReconcileOutcome After(std::chrono::milliseconds d) { return {kube::Status::Ok(), d}; }
};

}  // namespace modelgate::controllers
