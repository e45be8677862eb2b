// MetricValue: a metric's value, or the reason it is undefined on these rows (AUC of a slice with
// one class, precision@10 of a slice with 7 rows, ...). Undefined values are never silently 0:
// the gate turns them into an Inconclusive check.
#pragma once

#include <cmath>
#include <limits>
#include <string>

namespace modelgate::gates {

struct MetricValue {
  double value = std::numeric_limits<double>::quiet_NaN();
  std::string undefined_reason;  // empty when defined

  bool defined() const { return undefined_reason.empty(); }
  static MetricValue Of(double v) { return {v, {}}; }
  static MetricValue Undefined(std::string reason) {
    return {std::numeric_limits<double>::quiet_NaN(), std::move(reason)};
  }
};

}  // namespace modelgate::gates
