#include "gates/analysis/analysis_decision.h"

#include <algorithm>

namespace modelgate::gates::analysis {
namespace {

// Rank of an action: a stronger action overrides a weaker one across metrics.
int Strength(AnalysisAction action) {
  switch (action) {
    case AnalysisAction::kAdvance: return 0;
    case AnalysisAction::kHold: return 1;
    case AnalysisAction::kPause: return 2;
    case AnalysisAction::kRollback: return 3;
  }
  return 3;
}

// Rank of a reason among equal actions: the order of the rules in the header.
int Priority(DecisionReason reason) {
  switch (reason) {
    case DecisionReason::kMetricFailed: return 6;
    case DecisionReason::kAnalysisUnavailable: return 5;
    case DecisionReason::kNoData: return 4;
    case DecisionReason::kToleratedFailure: return 2;
    case DecisionReason::kNotMeasured: return 1;
    case DecisionReason::kAllSucceeded: return 0;
  }
  return 0;
}

std::string DurationText(Duration duration) {
  const auto ms = duration.count();
  if (ms % 1000 == 0) return PrometheusDuration(duration);
  return std::to_string(ms) + "ms";
}

const MetricHistory* Find(const std::vector<MetricHistory>& histories, const std::string& name) {
  for (const auto& history : histories) {
    if (history.name == name) return &history;
  }
  return nullptr;
}

AnalysisDecision DecideMetric(const AnalysisSpec& spec, const MetricSpec& metric, const MetricHistory* history,
                              TimePoint now) {
  AnalysisDecision d;
  d.metric = metric.name;
  if (history == nullptr || !history->last_verdict) {
    d.action = AnalysisAction::kHold;
    d.reason = DecisionReason::kNotMeasured;
    d.message = metric.name + ": not measured yet";
    return d;
  }
  const std::string last = history->last_message.empty() ? metric.name : history->last_message;

  // Rule 1: too many failures (cumulative, strict >).
  if (history->failures > metric.failure_limit) {
    d.action = AnalysisAction::kRollback;
    d.reason = DecisionReason::kMetricFailed;
    d.message = metric.name + " failed " + std::to_string(history->failures) + " time" +
                (history->failures == 1 ? "" : "s") + " (failureLimit " + std::to_string(metric.failure_limit) +
                "): " + last;
    return d;
  }

  const bool error = *history->last_verdict == Verdict::kError;
  const std::optional<TimePoint> outage_deadline =
      error ? std::optional<TimePoint>(history->error_since.value_or(*history->measured_at) + spec.outage_timeout)
            : std::nullopt;
  // Success and Failure clear inconclusive_since, so when it is set the last verdict was
  // Inconclusive, or an Error that interrupted a no-data run without ending it.
  const std::optional<TimePoint> no_data_deadline =
      history->inconclusive_since ? std::optional<TimePoint>(*history->inconclusive_since + spec.no_data_timeout)
                                  : std::nullopt;
  const std::string outage_timeout = DurationText(spec.outage_timeout);
  const std::string no_data_timeout = DurationText(spec.no_data_timeout);

  // Rule 2: an outage that lasted outageTimeout fails safe.
  if (outage_deadline && now >= *outage_deadline) {
    d.action = AnalysisAction::kRollback;
    d.reason = DecisionReason::kAnalysisUnavailable;
    d.message = "metrics provider unavailable for " + outage_timeout +
                " (outageTimeout), failing safe; this is a monitoring outage, not a model failure: " + last;
    return d;
  }
  // Rule 3: no data for noDataTimeout applies onNoData.
  if (no_data_deadline && now >= *no_data_deadline && metric.on_no_data != OnNoData::kHold) {
    d.action = metric.on_no_data == OnNoData::kFail ? AnalysisAction::kRollback : AnalysisAction::kPause;
    d.reason = DecisionReason::kNoData;
    d.message = metric.name + ": no usable data for " + no_data_timeout + " (noDataTimeout), onNoData " +
                OnNoDataName(metric.on_no_data) + ": " + last;
    return d;
  }
  // The earliest timeout still pending, for the controller's requeue.
  auto earliest = [](std::optional<TimePoint> a, std::optional<TimePoint> b) {
    if (!a) return b;
    if (!b) return a;
    return std::optional<TimePoint>(std::min(*a, *b));
  };
  const std::optional<TimePoint> pending_no_data =
      metric.on_no_data == OnNoData::kHold ? std::nullopt : no_data_deadline;
  // Rule 4: an outage shorter than the timeout holds.
  if (error) {
    d.action = AnalysisAction::kHold;
    d.reason = DecisionReason::kAnalysisUnavailable;
    d.deadline = earliest(outage_deadline, pending_no_data);
    d.message = "holding: metrics provider unavailable (rollback after outageTimeout " + outage_timeout +
                "): " + last;
    return d;
  }
  // Rule 5: no data holds (for good with onNoData Hold).
  if (*history->last_verdict == Verdict::kInconclusive) {
    d.action = AnalysisAction::kHold;
    d.reason = DecisionReason::kNoData;
    d.deadline = pending_no_data;
    d.message = "holding: " + last + " (onNoData " + OnNoDataName(metric.on_no_data) +
                (metric.on_no_data == OnNoData::kHold ? ": holds until data arrives)"
                                                      : " after noDataTimeout " + no_data_timeout + ")");
    return d;
  }
  if (*history->last_verdict == Verdict::kFailure) {
    d.action = AnalysisAction::kHold;
    d.reason = DecisionReason::kToleratedFailure;
    d.message = "holding: " + metric.name + " failed " + std::to_string(history->failures) + " of " +
                std::to_string(metric.failure_limit) + " tolerated time" + (metric.failure_limit == 1 ? "" : "s") +
                ": " + last;
    return d;
  }
  d.action = AnalysisAction::kAdvance;
  d.reason = DecisionReason::kAllSucceeded;
  d.message = last;
  return d;
}

}  // namespace

const char* AnalysisActionName(AnalysisAction action) {
  switch (action) {
    case AnalysisAction::kAdvance: return "Advance";
    case AnalysisAction::kHold: return "Hold";
    case AnalysisAction::kPause: return "Pause";
    case AnalysisAction::kRollback: return "Rollback";
  }
  return "Unknown";
}

const char* DecisionReasonName(DecisionReason reason) {
  switch (reason) {
    case DecisionReason::kAllSucceeded: return "AnalysisSucceeded";
    case DecisionReason::kNotMeasured: return "AnalysisNotMeasured";
    case DecisionReason::kToleratedFailure: return "AnalysisFailureTolerated";
    case DecisionReason::kNoData: return "AnalysisNoData";
    case DecisionReason::kAnalysisUnavailable: return "AnalysisUnavailable";
    case DecisionReason::kMetricFailed: return "AnalysisFailed";
  }
  return "Unknown";
}

MetricHistory RecordMeasurement(MetricHistory history, const MetricMeasurement& measurement) {
  history.last_verdict = measurement.verdict;
  history.measured_at = measurement.measured_at;
  history.last_message = measurement.message;
  switch (measurement.verdict) {
    case Verdict::kSuccess:
      history.inconclusive_since.reset();
      history.error_since.reset();
      break;
    case Verdict::kFailure:
      ++history.failures;
      history.inconclusive_since.reset();
      history.error_since.reset();
      break;
    case Verdict::kInconclusive:
      if (!history.inconclusive_since) history.inconclusive_since = measurement.measured_at;
      history.error_since.reset();
      break;
    case Verdict::kError:
      if (!history.error_since) history.error_since = measurement.measured_at;
      break;
  }
  return history;
}

AnalysisDecision DecideAnalysis(const AnalysisSpec& spec, const std::vector<MetricHistory>& histories,
                                TimePoint now) {
  AnalysisDecision best;
  best.action = AnalysisAction::kAdvance;
  best.reason = DecisionReason::kAllSucceeded;
  bool any = false;
  std::vector<std::string> succeeded;
  for (const MetricSpec& metric : spec.metrics) {
    AnalysisDecision d = DecideMetric(spec, metric, Find(histories, metric.name), now);
    if (d.action == AnalysisAction::kAdvance) {
      succeeded.push_back(d.message);
      continue;
    }
    const bool stronger = !any || Strength(d.action) > Strength(best.action) ||
                          (Strength(d.action) == Strength(best.action) && Priority(d.reason) > Priority(best.reason));
    if (stronger) {
      best = std::move(d);
      any = true;
    }
  }
  if (!any) {
    best.message = "all metrics succeeded";
    for (const auto& message : succeeded) best.message += "; " + message;
  }
  return best;
}

}  // namespace modelgate::gates::analysis
