#include "controllers/rollout/analysis_gauges.h"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace modelgate::controllers::rollout {
namespace {

// A value as Prometheus wrote it ("0.081", "NaN", "+Inf"); NaN when there was none.
double Parse(const std::string& text) {
  if (text.empty()) return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  return end == text.c_str() ? std::numeric_limits<double>::quiet_NaN() : v;
}

}  // namespace

AnalysisGauges::AnalysisGauges(prometheus::Registry& registry)
    : values_(prometheus::BuildGauge()
                  .Name("modelgate_analysis_metric_value")
                  .Help("Last value of a ModelRollout analysis metric per variant (NaN when there was no data)")
                  .Register(registry)),
      verdicts_(prometheus::BuildGauge()
                    .Name("modelgate_analysis_verdict")
                    .Help("1 for the last verdict of a ModelRollout analysis metric, 0 for the others")
                    .Register(registry)) {}

void AnalysisGauges::Record(const std::string& ns, const std::string& name,
                            const std::vector<gates::analysis::MetricMeasurement>& measurements) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& m : measurements) {
    values_
        .Add({{"namespace", ns}, {"rollout", name}, {"metric", m.name},
              {"variant", gates::analysis::VariantName(m.challenger_variant)}})
        .Set(Parse(m.challenger_value));
    values_.Add({{"namespace", ns}, {"rollout", name}, {"metric", m.name}, {"variant", "champion"}})
        .Set(Parse(m.champion_value));
    for (auto v : {gates::analysis::Verdict::kSuccess, gates::analysis::Verdict::kFailure,
                   gates::analysis::Verdict::kInconclusive, gates::analysis::Verdict::kError}) {
      verdicts_
          .Add({{"namespace", ns}, {"rollout", name}, {"metric", m.name},
                {"verdict", gates::analysis::VerdictName(v)}})
          .Set(v == m.verdict ? 1 : 0);
    }
  }
}

}  // namespace modelgate::controllers::rollout
