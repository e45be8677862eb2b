#include "controllers/rollout/analysis_status.h"

#include "operator/kube/time_format.h"

namespace modelgate::controllers::rollout {
namespace {

using gates::analysis::MetricHistory;
using gates::analysis::MetricMeasurement;
using gates::analysis::Verdict;
using nlohmann::json;

std::optional<Verdict> ParseVerdict(const json& value) {
  if (!value.is_string()) return std::nullopt;
  for (Verdict v : {Verdict::kSuccess, Verdict::kFailure, Verdict::kInconclusive, Verdict::kError}) {
    if (value.get<std::string>() == gates::analysis::VerdictName(v)) return v;
  }
  return std::nullopt;
}

MetricHistory HistoryFromEntry(const json& entry) {
  MetricHistory h;
  h.name = entry.value("name", "");
  if (entry.contains("failures") && entry["failures"].is_number_integer()) h.failures = entry["failures"].get<int>();
  if (entry.contains("inconclusiveSince")) h.inconclusive_since = ParseStatusTime(entry["inconclusiveSince"]);
  if (entry.contains("errorSince")) h.error_since = ParseStatusTime(entry["errorSince"]);
  if (entry.contains("verdict")) h.last_verdict = ParseVerdict(entry["verdict"]);
  if (entry.contains("measuredAt")) h.measured_at = ParseStatusTime(entry["measuredAt"]);
  if (entry.contains("message") && entry["message"].is_string()) h.last_message = entry["message"].get<std::string>();
  if (!h.measured_at) h.last_verdict.reset();  // a verdict without a time cannot be trusted
  return h;
}

}  // namespace

std::string StatusTime(TimePoint t) { return kube::FormatMicroTime(t); }

std::optional<TimePoint> ParseStatusTime(const json& value) {
  if (!value.is_string()) return std::nullopt;
  return kube::ParseRfc3339(value.get<std::string>());
}

std::vector<MetricHistory> HistoriesFromStatus(const json& analysis) {
  std::vector<MetricHistory> out;
  if (!analysis.is_array()) return out;
  for (const json& entry : analysis) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) continue;
    out.push_back(HistoryFromEntry(entry));
  }
  return out;
}

std::vector<MetricHistory> HistoriesForDecision(const json& analysis, TimePoint now) {
  std::vector<MetricHistory> histories = HistoriesFromStatus(analysis);
  for (MetricHistory& h : histories) {
    if (h.last_verdict == Verdict::kError && h.error_since && h.inconclusive_since && now > *h.error_since) {
      h.inconclusive_since = *h.inconclusive_since + (now - *h.error_since);
    }
  }
  return histories;
}

void RecordMeasurements(json& analysis, const std::vector<MetricMeasurement>& measurements) {
  if (!analysis.is_array()) analysis = json::array();
  for (const MetricMeasurement& m : measurements) {
    json* entry = nullptr;
    for (json& e : analysis) {
      if (e.is_object() && e.value("name", "") == m.name) entry = &e;
    }
    MetricHistory previous;
    previous.name = m.name;
    if (entry != nullptr) previous = HistoryFromEntry(*entry);
    MetricHistory h = gates::analysis::RecordMeasurement(previous, m);
    if (previous.error_since && m.verdict != Verdict::kError && h.inconclusive_since &&
        *h.inconclusive_since < *previous.error_since) {
      h.inconclusive_since = *h.inconclusive_since + (m.measured_at - *previous.error_since);
    }

    json next = {{"name", m.name},
                 {"verdict", gates::analysis::VerdictName(m.verdict)},
                 {"challengerValue", m.challenger_value},
                 {"championValue", m.champion_value},
                 {"threshold", m.threshold},
                 {"query", m.challenger.query},
                 {"championQuery", m.champion.query},
                 {"measuredAt", StatusTime(m.measured_at)},
                 {"failures", h.failures},
                 {"message", m.message}};
    if (m.challenger_samples) next["challengerSamples"] = *m.challenger_samples;
    if (m.champion_samples) next["championSamples"] = *m.champion_samples;
    if (h.inconclusive_since) next["inconclusiveSince"] = StatusTime(*h.inconclusive_since);
    if (h.error_since) next["errorSince"] = StatusTime(*h.error_since);
    if (entry != nullptr) {
      *entry = std::move(next);
    } else {
      analysis.push_back(std::move(next));
    }
  }
}

std::optional<TimePoint> LastMeasuredAt(const json& analysis) {
  std::optional<TimePoint> last;
  for (const MetricHistory& h : HistoriesFromStatus(analysis)) {
    if (h.measured_at && (!last || *h.measured_at > *last)) last = h.measured_at;
  }
  return last;
}

std::optional<TimePoint> OldestMeasuredAt(const json& analysis, const std::vector<std::string>& names) {
  const std::vector<MetricHistory> histories = HistoriesFromStatus(analysis);
  std::optional<TimePoint> oldest;
  for (const std::string& name : names) {
    std::optional<TimePoint> at;
    for (const MetricHistory& h : histories) {
      if (h.name == name) at = h.measured_at;
    }
    if (!at) return std::nullopt;
    if (!oldest || *at < *oldest) oldest = at;
  }
  return oldest;
}

void ClearInconclusiveSince(json& analysis) {
  if (!analysis.is_array()) return;
  for (json& entry : analysis) {
    if (entry.is_object()) entry.erase("inconclusiveSince");
  }
}

}  // namespace modelgate::controllers::rollout
