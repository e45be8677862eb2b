// AnalysisGauges: the last value of every analysis metric, per rollout and variant, on the
// operator's /metrics registry:
//   modelgate_analysis_metric_value{namespace, rollout, metric, variant}   the value (NaN when none)
//   modelgate_analysis_verdict{namespace, rollout, metric, verdict}         1 for the last verdict, else 0
// so a dashboard or an alert sees what the rollout controller saw. Thread-safe (prometheus-cpp
// families are). Series of deleted rollouts stay until the operator restarts.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "gates/analysis/measurement.h"

namespace modelgate::controllers::rollout {

class AnalysisGauges {
 public:
  explicit AnalysisGauges(prometheus::Registry& registry);

  // Sets the gauges of one interval's measurements of rollout ns/name.
  void Record(const std::string& ns, const std::string& name,
              const std::vector<gates::analysis::MetricMeasurement>& measurements);

 private:
  prometheus::Family<prometheus::Gauge>& values_;
  prometheus::Family<prometheus::Gauge>& verdicts_;
  std::mutex mu_;
};

}  // namespace modelgate::controllers::rollout
