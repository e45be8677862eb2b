// Aggregation of analysis measurements across intervals: what the rollout may do now.
//
// The operator keeps one MetricHistory per metric in status.analysis[] (failures,
// inconclusiveSince, errorSince, the last verdict and measuredAt). Each interval it calls
// RecordMeasurement() to fold the new measurement into that history, then DecideAnalysis() with
// the current time. Both are pure: time comes from the arguments, never from a clock, so a
// restarted operator reaches the same decision from the same status.
//
// Rules (docs/analysis.md), per metric:
//   1. failures > failureLimit                           -> Rollback (kMetricFailed)
//   2. last verdict Error and now - errorSince >= outageTimeout
//                                                        -> Rollback (kAnalysisUnavailable): a
//      monitoring outage, reported as such, never as a model failure
//   3. inconclusiveSince set and now - inconclusiveSince >= noDataTimeout:
//        onNoData Fail  -> Rollback (kNoData);  Pause -> Pause (kNoData);  Hold -> Hold (kNoData)
//   4. last verdict Error (outage shorter than the timeout)      -> Hold (kAnalysisUnavailable)
//   5. last verdict Inconclusive (before the timeout)            -> Hold (kNoData)
//   6. last verdict Failure within failureLimit                  -> Hold (kToleratedFailure): a
//      step never advances on a Failure; the next Success lets it advance
//   7. never measured                                            -> Hold (kNotMeasured)
//   8. last verdict Success                                      -> Advance
// Across metrics the strongest action wins: Rollback > Pause > Hold > Advance; among equal
// actions the first rule in the list above wins, then the first metric in spec order.
// "Advance" means the analysis allows the step to end; the controller still waits for the soak.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "gates/analysis/analysis_spec.h"
#include "gates/analysis/measurement.h"

namespace modelgate::gates::analysis {

// The per-metric bookkeeping the operator stores in status.analysis[].
struct MetricHistory {
  std::string name;
  int failures = 0;                            // Failure verdicts so far in this rollout
  std::optional<TimePoint> inconclusive_since;  // start of the current no-data run
  std::optional<TimePoint> error_since;         // start of the current outage run
  std::optional<Verdict> last_verdict;
  std::optional<TimePoint> measured_at;
  std::string last_message;                     // the last measurement's message
};

// Folds `measurement` into `history` (whose name must match):
//   - Failure adds one to failures (cumulative over the rollout: shadow, steps, post-promotion);
//   - Inconclusive starts inconclusive_since (kept when already set); Success and Failure clear
//     it (data arrived); Error leaves it as it was (an outage says nothing about traffic);
//   - Error starts error_since (kept when already set); any other verdict clears it.
// Thread-safe (pure).
MetricHistory RecordMeasurement(MetricHistory history, const MetricMeasurement& measurement);

enum class AnalysisAction { kAdvance, kHold, kPause, kRollback };
const char* AnalysisActionName(AnalysisAction action);  // "Advance", "Hold", "Pause", "Rollback"

enum class DecisionReason {
  kAllSucceeded,          // Advance
  kNotMeasured,           // Hold: a metric has no measurement yet
  kToleratedFailure,      // Hold: last verdict Failure, failures <= failureLimit
  kNoData,                // Hold / Pause / Rollback per onNoData
  kAnalysisUnavailable,   // Hold, then Rollback after outageTimeout (monitoring outage)
  kMetricFailed,          // Rollback: failures > failureLimit
};
// CamelCase, usable as an event/condition reason: "AnalysisSucceeded", "AnalysisNotMeasured",
// "AnalysisFailureTolerated", "AnalysisNoData", "AnalysisUnavailable", "AnalysisFailed".
const char* DecisionReasonName(DecisionReason reason);

struct AnalysisDecision {
  AnalysisAction action = AnalysisAction::kHold;
  DecisionReason reason = DecisionReason::kNotMeasured;
  std::string metric;   // the metric that decided; empty for kAllSucceeded
  std::string message;  // for status.message and the event, e.g.
                        // "error-rate failed 2 times (failureLimit 1): canary 0.081 > 0.05 (max)"
  // For a Hold: when the pending timeout (outage or no-data) fires if nothing changes, so the
  // controller can requeue for it. Unset when no timeout is pending.
  std::optional<TimePoint> deadline;
};

// Decides from the histories (one per metric of spec, matched by name; a missing one counts as
// never measured) and the current time. Thread-safe (pure).
AnalysisDecision DecideAnalysis(const AnalysisSpec& spec, const std::vector<MetricHistory>& histories,
                                TimePoint now);

}  // namespace modelgate::gates::analysis
