// status.analysis[] of a ModelRollout <-> the analysis engine's MetricHistory.
//
// Each entry of status.analysis[] holds one metric's last measurement (values, samples, verdict,
// threshold, resolved queries, measuredAt, message) and its history across intervals (failures,
// inconclusiveSince, errorSince) in the CRD's field names. Timestamps are written with
// microseconds so that sub-second deadlines survive a restart. Thread-safe (pure).
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "gates/analysis/analysis_decision.h"
#include "gates/analysis/measurement.h"

namespace modelgate::controllers::rollout {

using gates::analysis::TimePoint;

// The histories stored in `analysis` (status.analysis, may be null). Malformed entries and
// timestamps are skipped (a missing history counts as never measured, which holds the step).
std::vector<gates::analysis::MetricHistory> HistoriesFromStatus(const nlohmann::json& analysis);

// The histories to decide on at `now`: those of HistoriesFromStatus, except that the no-data
// clock is stopped during a monitoring outage - for a metric whose last verdict is Error,
// inconclusiveSince is moved forward by the outage so far (now - errorSince). Without this a
// Prometheus outage that follows a no-data measurement would fire onNoData (e.g. roll back for
// "no data") before outageTimeout, i.e. an outage would abort the rollout.
std::vector<gates::analysis::MetricHistory> HistoriesForDecision(const nlohmann::json& analysis, TimePoint now);

// Folds `measurements` into `analysis` (status.analysis, created when null): each metric's entry
// is replaced by its new last measurement plus the history RecordMeasurement() computes. When an
// outage ends on an Inconclusive verdict, inconclusiveSince moves forward by the outage (the
// no-data clock stopped while Prometheus was unreachable, see HistoriesForDecision).
void RecordMeasurements(nlohmann::json& analysis,
                        const std::vector<gates::analysis::MetricMeasurement>& measurements);

// The latest measuredAt over all entries; nullopt when nothing was measured yet.
std::optional<TimePoint> LastMeasuredAt(const nlohmann::json& analysis);

// The earliest measuredAt over the metrics of `names`; nullopt when one of them was never measured.
std::optional<TimePoint> OldestMeasuredAt(const nlohmann::json& analysis, const std::vector<std::string>& names);

// Clears inconclusiveSince of every entry (a human resumed a rollout paused for no data: the
// no-data timeout starts again).
void ClearInconclusiveSince(nlohmann::json& analysis);

// Timestamp text of the status (RFC 3339 with microseconds) and its parser.
std::string StatusTime(TimePoint t);
std::optional<TimePoint> ParseStatusTime(const nlohmann::json& value);

}  // namespace modelgate::controllers::rollout
