#include "gates/analysis/measurement.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gates/common/text.h"

namespace modelgate::gates::analysis {
namespace {

// What one variant's readings say, reduced to what a threshold needs. Within a variant an
// Error outweighs missing data, which outweighs a value.
struct VariantData {
  enum class State { kValue, kNoData, kError };
  State state = State::kNoData;
  double value = 0;
  std::string text;    // the value as the backend wrote it
  std::string reason;  // kNoData / kError: why there is no usable value
};

// Derived numbers (bounds) are shown with 6 significant digits: 0.012 * 1.1 prints as 0.0132.
std::string Derived(double value) {
  if (std::isnan(value) || std::isinf(value)) return FormatNumber(value);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", value);
  return buf;
}

std::string ErrorText(const ProviderError& error) {
  std::string out = std::string(ProviderErrorKindName(error.kind));
  if (error.http_status != 0) out += " (HTTP " + std::to_string(error.http_status) + ")";
  return out + ": " + error.message;
}

VariantData ReadValue(const std::optional<QueryResult>& result, const char* variant) {
  VariantData out;
  const std::string who = variant;
  if (!result) {
    out.state = VariantData::State::kError;
    out.reason = who + " query was not run";
    return out;
  }
  if (!result->ok()) {
    out.state = VariantData::State::kError;
    out.reason = who + " query failed: " + ErrorText(result->error());
    return out;
  }
  const Sample& sample = result->sample();
  out.text = sample.text;
  switch (sample.kind) {
    case Sample::Kind::kValue:
      out.state = VariantData::State::kValue;
      out.value = sample.value;
      if (out.text.empty()) out.text = FormatNumber(sample.value);
      break;
    case Sample::Kind::kNaN:
      out.state = VariantData::State::kNoData;
      out.reason = who + " value is NaN";
      if (out.text.empty()) out.text = "NaN";
      break;
    case Sample::Kind::kNoData:
      out.state = VariantData::State::kNoData;
      out.reason = "no data for " + who + " (empty result)";
      break;
    case Sample::Kind::kMultipleSeries:
      out.state = VariantData::State::kError;
      out.reason = who + " query returned " + std::to_string(sample.series) + " series (" +
                   sample.series_labels + "); aggregate it, e.g. with sum(...), so that it returns one value";
      break;
  }
  return out;
}

// Applies the request count of a variant to its value reading. Sets `samples_out` when a count
// was read.
void ApplySampleCount(VariantData& data, const std::optional<QueryResult>& result, std::int64_t min_samples,
                      const char* variant, std::optional<std::int64_t>& samples_out) {
  if (min_samples <= 0) return;
  const std::string who = variant;
  VariantData count = ReadValue(result, variant);
  if (count.state == VariantData::State::kValue) {
    const double floored = std::floor(count.value);
    samples_out = floored >= 9.2e18 ? INT64_MAX : static_cast<std::int64_t>(std::max(floored, -9.2e18));
    if (*samples_out >= min_samples) return;
    count.state = VariantData::State::kNoData;
    count.reason = who + " served " + std::to_string(*samples_out) + " requests, fewer than minSamples " +
                   std::to_string(min_samples);
  } else if (count.state == VariantData::State::kNoData) {
    count.reason = "request count: " + count.reason + " (minSamples " + std::to_string(min_samples) + ")";
  } else {
    count.reason = "request count: " + count.reason;
  }
  // Error outweighs no data, which outweighs a value.
  if (data.state == VariantData::State::kError) return;
  if (count.state == VariantData::State::kError || data.state == VariantData::State::kValue) {
    data.state = count.state;
    data.reason = count.reason;
  }
}

struct Judged {
  std::vector<ThresholdCheck> checks;
  std::vector<std::string> crossed;     // failure sentences
  std::vector<std::string> errors;      // why a check could not run (provider)
  std::vector<std::string> no_data;     // why a check could not run (data)
};

void AddUnique(std::vector<std::string>& list, const std::string& text) {
  for (const auto& existing : list) {
    if (existing == text) return;
  }
  list.push_back(text);
}

// Records that a check could not run because `data` has no value.
void NotChecked(Judged& judged, const VariantData& data) {
  if (data.state == VariantData::State::kError) AddUnique(judged.errors, data.reason);
  else AddUnique(judged.no_data, data.reason);
}

}  // namespace

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kSuccess: return "Success";
    case Verdict::kFailure: return "Failure";
    case Verdict::kInconclusive: return "Inconclusive";
    case Verdict::kError: return "Error";
  }
  return "Unknown";
}

MetricMeasurement JudgeMetric(const MetricSpec& metric, Variant challenger_variant, VariantReading challenger,
                              VariantReading champion, TimePoint measured_at) {
  MetricMeasurement out;
  out.name = metric.name;
  out.measured_at = measured_at;
  out.challenger_variant = challenger_variant;
  const char* challenger_name = VariantName(challenger_variant);

  VariantData c = ReadValue(challenger.value, challenger_name);
  ApplySampleCount(c, challenger.samples, metric.min_samples, challenger_name, out.challenger_samples);
  VariantData h = ReadValue(champion.value, "champion");
  ApplySampleCount(h, champion.samples, metric.min_samples, "champion", out.champion_samples);
  out.challenger_value = challenger.value && challenger.value->ok() ? c.text : "";
  out.champion_value = champion.value && champion.value->ok() ? h.text : "";
  out.challenger = std::move(challenger);
  out.champion = std::move(champion);

  Judged judged;
  const std::string cv = c.text;  // as the backend wrote it
  const std::string hv = h.text;
  const std::string who = challenger_name;
  const bool c_ok = c.state == VariantData::State::kValue;
  const bool h_ok = h.state == VariantData::State::kValue;

  // One threshold: `passing` is the condition text, `crossed(...)` the comparison, `sentence` the
  // failure text. Champion thresholds need both values.
  auto check = [&](const char* name, double value, bool needs_champion, const std::string& passing,
                   auto crossed, auto sentence) {
    ThresholdCheck t{.name = name, .value = value, .condition = passing};
    if (!c_ok) {
      NotChecked(judged, c);
    } else if (needs_champion && !h_ok) {
      NotChecked(judged, h);
    } else {
      const std::optional<bool> result = crossed();
      if (!result) {
        AddUnique(judged.no_data, std::string(name) + " is undefined for " + who + " " + cv + " and champion " + hv);
      } else {
        t.outcome = *result ? ThresholdCheck::Outcome::kCrossed : ThresholdCheck::Outcome::kPassed;
        if (*result) judged.crossed.push_back(sentence() + " (" + name + ")");
      }
    }
    judged.checks.push_back(std::move(t));
  };
  // A comparison whose operand is NaN (e.g. +Inf - +Inf) is undefined, not passed.
  auto defined = [](double operand, bool crossed_if_defined) -> std::optional<bool> {
    if (std::isnan(operand)) return std::nullopt;
    return crossed_if_defined;
  };

  if (metric.max) {
    const double max = *metric.max;
    check("max", max, false, "challenger <= " + FormatNumber(max),
          [&] { return defined(c.value, c.value > max); },
          [&] { return who + " " + cv + " > " + FormatNumber(max); });
  }
  if (metric.min) {
    const double min = *metric.min;
    check("min", min, false, "challenger >= " + FormatNumber(min),
          [&] { return defined(c.value, c.value < min); },
          [&] { return who + " " + cv + " < " + FormatNumber(min); });
  }
  if (metric.max_increase_over_champion) {
    const double v = *metric.max_increase_over_champion;
    std::string passing = "challenger - champion <= " + FormatNumber(v);
    if (h_ok) passing += " (challenger <= " + Derived(h.value + v) + ")";
    check("maxIncreaseOverChampion", v, true, passing,
          [&] { const double d = c.value - h.value; return defined(d, d > v); },
          [&] { return who + " " + cv + " > champion " + hv + " + " + FormatNumber(v); });
  }
  if (metric.max_relative_increase_over_champion) {
    const double r = *metric.max_relative_increase_over_champion;
    std::string passing = "challenger <= champion * (1 + " + FormatNumber(r) + ")";
    if (h_ok) passing += " = " + Derived(h.value * (1 + r));
    check("maxRelativeIncreaseOverChampion", r, true, passing,
          [&] { const double bound = h.value * (1 + r); return defined(bound, c.value > bound); },
          [&] {
            return who + " " + cv + " > champion " + hv + " * (1 + " + FormatNumber(r) + ") = " +
                   Derived(h.value * (1 + r));
          });
  }
  if (metric.max_decrease_below_champion) {
    const double v = *metric.max_decrease_below_champion;
    std::string passing = "champion - challenger <= " + FormatNumber(v);
    if (h_ok) passing += " (challenger >= " + Derived(h.value - v) + ")";
    check("maxDecreaseBelowChampion", v, true, passing,
          [&] { const double d = h.value - c.value; return defined(d, d > v); },
          [&] { return who + " " + cv + " < champion " + hv + " - " + FormatNumber(v); });
  }
  if (metric.max_relative_decrease_below_champion) {
    const double r = *metric.max_relative_decrease_below_champion;
    std::string passing = "challenger >= champion * (1 - " + FormatNumber(r) + ")";
    if (h_ok) passing += " = " + Derived(h.value * (1 - r));
    check("maxRelativeDecreaseBelowChampion", r, true, passing,
          [&] { const double bound = h.value * (1 - r); return defined(bound, c.value < bound); },
          [&] {
            return who + " " + cv + " < champion " + hv + " * (1 - " + FormatNumber(r) + ") = " +
                   Derived(h.value * (1 - r));
          });
  }

  auto join = [](const std::vector<std::string>& parts) {
    std::string text;
    for (const auto& part : parts) text += (text.empty() ? "" : "; ") + part;
    return text;
  };
  std::vector<std::string> conditions;
  for (const auto& t : judged.checks) conditions.push_back(t.condition);
  out.threshold = join(conditions);
  out.checks = std::move(judged.checks);

  if (!judged.crossed.empty()) {
    out.verdict = Verdict::kFailure;
    out.message = metric.name + ": " + join(judged.crossed);
  } else if (!judged.errors.empty()) {
    out.verdict = Verdict::kError;
    out.message = metric.name + ": " + join(judged.errors);
  } else if (!judged.no_data.empty()) {
    out.verdict = Verdict::kInconclusive;
    out.message = metric.name + ": " + join(judged.no_data);
  } else {
    out.verdict = Verdict::kSuccess;
    out.message = metric.name + ": " + who + " " + cv;
    if (metric.NeedsChampion()) out.message += ", champion " + hv;
    out.message += ": within " + out.threshold;
  }
  return out;
}

Result<std::vector<MetricMeasurement>> MeasureInterval(const AnalysisSpec& spec, const IntervalContext& context,
                                                       MetricsProvider& provider) {
  const std::string interval = PrometheusDuration(spec.interval);
  // Once the provider could not be reached (or timed out) in this interval, the remaining queries
  // are not sent: they would wait out the same timeout one by one. They get the same error.
  std::optional<ProviderError> outage;
  auto run = [&](const std::string& query) -> QueryResult {
    if (outage) {
      ProviderError skipped = *outage;
      skipped.message = "not sent after an earlier failure in this interval: " + outage->message;
      return skipped;
    }
    QueryResult result = provider.Query(query, context.at);
    if (!result.ok() && (result.error().kind == ProviderError::Kind::kUnreachable ||
                         result.error().kind == ProviderError::Kind::kTimeout)) {
      outage = result.error();
    }
    return result;
  };

  std::vector<MetricMeasurement> out;
  out.reserve(spec.metrics.size());
  for (const MetricSpec& metric : spec.metrics) {
    VariantReading readings[2];
    const Variant variants[2] = {context.challenger, Variant::kChampion};
    for (int i = 0; i < 2; ++i) {
      const TemplateValues values{.variant = variants[i],
                                  .namespace_name = context.namespace_name,
                                  .model = context.model,
                                  .interval = interval};
      Result<std::string> query = RenderQuery(metric.query, values, metric.path + ".query", metric.name);
      if (!query.ok()) return query.status();
      readings[i].query = *query;
      if (metric.min_samples > 0) {
        Result<std::string> count =
            RenderQuery(metric.sample_count_query, values, metric.path + ".sampleCountQuery", metric.name);
        if (!count.ok()) return count.status();
        readings[i].sample_count_query = *count;
      }
    }
    for (VariantReading& reading : readings) {
      reading.value = run(reading.query);
      if (metric.min_samples > 0) reading.samples = run(reading.sample_count_query);
    }
    out.push_back(JudgeMetric(metric, context.challenger, std::move(readings[0]), std::move(readings[1]),
                              context.at));
  }
  return out;
}

}  // namespace modelgate::gates::analysis
