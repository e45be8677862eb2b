#include "gates/analysis/analysis_spec.h"

#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "gates/analysis/query_template.h"
#include "gates/common/text.h"

namespace modelgate::gates::analysis {
namespace {

using nlohmann::json;

constexpr size_t kMaxMetrics = 16;
constexpr size_t kMaxQueryBytes = 4096;

// "\"ten\"" for strings, the JSON text otherwise; shortened for messages.
std::string Describe(const json& value) {
  if (value.is_string()) return "\"" + Shorten(value.get<std::string>()) + "\"";
  return Shorten(value.dump());
}

Status Expected(const std::string& path, std::string_view what, const json& got) {
  return Status::Invalid(path + ": expected " + std::string(what) + ", got " + Describe(got));
}

// Rejects keys of `object` that are not in `known`, suggesting the nearest known name.
Status CheckKnownFields(const json& object, const std::string& path, const std::vector<std::string>& known) {
  for (const auto& [key, value] : object.items()) {
    bool found = false;
    for (const auto& name : known) found = found || name == key;
    if (found) continue;
    std::string message = path + "." + key + ": unknown field";
    const std::string nearest = NearestName(key, known);
    if (!nearest.empty()) message += " (did you mean " + nearest + "?)";
    return Status::Invalid(message);
  }
  return Status::Ok();
}

Result<std::string> RequiredString(const json& object, const std::string& path, const char* key) {
  auto it = object.find(key);
  const std::string field = path + "." + key;
  if (it == object.end() || it->is_null()) return Status::Invalid(field + ": required");
  if (!it->is_string()) return Expected(field, "a string", *it);
  std::string value = it->get<std::string>();
  if (value.empty()) return Status::Invalid(field + ": must not be empty");
  return value;
}

// Reads an optional string field; absent and null give nullopt.
Status OptionalString(const json& object, const std::string& path, const char* key,
                      std::optional<std::string>& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return Expected(path + "." + key, "a string", *it);
  out = it->get<std::string>();
  return Status::Ok();
}

Status OptionalNumber(const json& object, const std::string& path, const char* key,
                      std::optional<double>& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return Status::Ok();
  if (!it->is_number()) return Expected(path + "." + key, "a number", *it);
  out = it->get<double>();
  return Status::Ok();
}

Status OptionalInteger(const json& object, const std::string& path, const char* key, std::int64_t low,
                       std::int64_t high, std::int64_t& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return Status::Ok();
  const std::string field = path + "." + key;
  std::int64_t value = 0;
  if (it->is_number_integer()) {
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(high)) {
      return Status::Invalid(field + ": must be at most " + std::to_string(high) + ", got " + it->dump());
    }
    value = it->get<std::int64_t>();
  } else if (it->is_number_float() && std::trunc(it->get<double>()) == it->get<double>() &&
             std::fabs(it->get<double>()) < 9e15) {
    value = static_cast<std::int64_t>(it->get<double>());
  } else {
    return Expected(field, "an integer", *it);
  }
  if (value < low || value > high) {
    return Status::Invalid(field + ": must be between " + std::to_string(low) + " and " +
                           std::to_string(high) + ", got " + std::to_string(value));
  }
  out = value;
  return Status::Ok();
}

Status OptionalDuration(const json& object, const std::string& path, const char* key, bool positive,
                        Duration& out) {
  std::optional<std::string> text;
  if (Status s = OptionalString(object, path, key, text); !s.ok()) return s;
  if (!text) return Status::Ok();
  const std::string field = path + "." + key;
  std::optional<Duration> parsed = ParseDuration(*text);
  if (!parsed) {
    return Status::Invalid(field + ": expected a duration such as 30s, 5m or 1h30m (units ms, s, m, h), got \"" +
                           Shorten(*text) + "\"");
  }
  if (positive && parsed->count() <= 0) return Status::Invalid(field + ": must be greater than 0");
  out = *parsed;
  return Status::Ok();
}

Status ParseSecretKeyRef(const json& object, const std::string& path, const char* key,
                         const char* default_key, std::optional<SecretKeyRef>& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return Status::Ok();
  const std::string field = path + "." + key;
  if (!it->is_object()) return Expected(field, "an object {name, key}", *it);
  if (Status s = CheckKnownFields(*it, field, {"name", "key"}); !s.ok()) return s;
  Result<std::string> name = RequiredString(*it, field, "name");
  if (!name.ok()) return name.status();
  std::optional<std::string> secret_key;
  if (Status s = OptionalString(*it, field, "key", secret_key); !s.ok()) return s;
  out = SecretKeyRef{.name = *name, .key = secret_key && !secret_key->empty() ? *secret_key : default_key};
  return Status::Ok();
}

Result<PrometheusSpec> ParsePrometheus(const json& analysis, const std::string& path) {
  auto it = analysis.find("prometheus");
  const std::string field = path + ".prometheus";
  if (it == analysis.end() || it->is_null()) return Status::Invalid(field + ": required");
  if (!it->is_object()) return Expected(field, "an object", *it);
  if (Status s = CheckKnownFields(*it, field, {"address", "timeout", "bearerTokenSecretRef", "caSecretRef"});
      !s.ok()) {
    return s;
  }
  PrometheusSpec out;
  Result<std::string> address = RequiredString(*it, field, "address");
  if (!address.ok()) return address.status();
  if (address->rfind("http://", 0) != 0 && address->rfind("https://", 0) != 0) {
    return Status::Invalid(field + ".address: expected an http:// or https:// URL, got \"" + Shorten(*address) +
                           "\"");
  }
  out.address = *address;
  if (Status s = OptionalDuration(*it, field, "timeout", true, out.timeout); !s.ok()) return s;
  if (Status s = ParseSecretKeyRef(*it, field, "bearerTokenSecretRef", "token", out.bearer_token_secret_ref);
      !s.ok()) {
    return s;
  }
  if (Status s = ParseSecretKeyRef(*it, field, "caSecretRef", "ca.crt", out.ca_secret_ref); !s.ok()) return s;
  return out;
}

bool ValidMetricName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  for (char c : name) {
    if (!alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

Status CheckQuery(const std::string& query, const std::string& field, const std::string& metric) {
  if (query.size() > kMaxQueryBytes) {
    return Status::Invalid(field + ": longer than " + std::to_string(kMaxQueryBytes) + " bytes");
  }
  return CheckQueryTemplate(query, /*require_variant=*/true, field, metric);
}

Result<MetricSpec> ParseMetric(const json& item, const std::string& path,
                               const std::optional<std::string>& default_sample_count_query) {
  if (!item.is_object()) return Expected(path, "an object", item);
  if (Status s = CheckKnownFields(
          item, path,
          {"name", "query", "max", "min", "maxIncreaseOverChampion", "maxRelativeIncreaseOverChampion",
           "maxDecreaseBelowChampion", "maxRelativeDecreaseBelowChampion", "failureLimit", "minSamples",
           "sampleCountQuery", "onNoData"});
      !s.ok()) {
    return s;
  }
  MetricSpec out;
  out.path = path;
  Result<std::string> name = RequiredString(item, path, "name");
  if (!name.ok()) return name.status();
  if (!ValidMetricName(*name)) {
    return Status::Invalid(path + ".name: expected lower-case letters, digits, '-' and '_' (at most 63, "
                                  "starting and ending with a letter or digit), got \"" +
                           Shorten(*name) + "\"");
  }
  out.name = *name;
  Result<std::string> query = RequiredString(item, path, "query");
  if (!query.ok()) return query.status();
  if (Status s = CheckQuery(*query, path + ".query", out.name); !s.ok()) return s;
  out.query = *query;

  struct NumberField {
    const char* key;
    std::optional<double>* slot;
    bool non_negative;
    bool at_most_one;
  };
  const NumberField numbers[] = {
      {"max", &out.max, false, false},
      {"min", &out.min, false, false},
      {"maxIncreaseOverChampion", &out.max_increase_over_champion, true, false},
      {"maxRelativeIncreaseOverChampion", &out.max_relative_increase_over_champion, true, false},
      {"maxDecreaseBelowChampion", &out.max_decrease_below_champion, true, false},
      {"maxRelativeDecreaseBelowChampion", &out.max_relative_decrease_below_champion, true, true},
  };
  bool any_threshold = false;
  for (const NumberField& number : numbers) {
    if (Status s = OptionalNumber(item, path, number.key, *number.slot); !s.ok()) return s;
    if (!number.slot->has_value()) continue;
    any_threshold = true;
    const double value = **number.slot;
    const std::string field = path + "." + number.key;
    if (number.non_negative && value < 0) {
      return Status::Invalid(field + ": must be >= 0, got " + FormatNumber(value));
    }
    if (number.at_most_one && value > 1) {
      return Status::Invalid(field + ": is a fraction and must be <= 1, got " + FormatNumber(value));
    }
  }
  if (!any_threshold) {
    return Status::Invalid(path + ": a metric needs at least one threshold (max, min, maxIncreaseOverChampion, "
                                  "maxRelativeIncreaseOverChampion, maxDecreaseBelowChampion or "
                                  "maxRelativeDecreaseBelowChampion)");
  }
  if (out.min && out.max && *out.min > *out.max) {
    return Status::Invalid(path + ".min: must not be greater than max (" + FormatNumber(*out.min) + " > " +
                           FormatNumber(*out.max) + ")");
  }

  std::int64_t failure_limit = 0;
  if (Status s = OptionalInteger(item, path, "failureLimit", 0, 100, failure_limit); !s.ok()) return s;
  out.failure_limit = static_cast<int>(failure_limit);
  if (Status s = OptionalInteger(item, path, "minSamples", 0, INT64_MAX, out.min_samples); !s.ok()) return s;

  std::optional<std::string> sample_count_query;
  if (Status s = OptionalString(item, path, "sampleCountQuery", sample_count_query); !s.ok()) return s;
  if (sample_count_query) {
    if (Status s = CheckQuery(*sample_count_query, path + ".sampleCountQuery", out.name); !s.ok()) return s;
    out.sample_count_query = *sample_count_query;
  } else if (default_sample_count_query) {
    out.sample_count_query = *default_sample_count_query;
  }
  if (out.min_samples > 0 && out.sample_count_query.empty()) {
    return Status::Invalid(path + ".minSamples: needs a sampleCountQuery (on the metric or on spec.analysis)");
  }

  auto on_no_data = item.find("onNoData");
  const std::string on_no_data_field = path + ".onNoData";
  if (on_no_data == item.end() || on_no_data->is_null()) {
    return Status::Invalid(on_no_data_field + ": required (Hold, Pause or Fail); no data never counts as success");
  }
  if (!on_no_data->is_string()) return Expected(on_no_data_field, "one of Hold, Pause, Fail", *on_no_data);
  const std::string choice = on_no_data->get<std::string>();
  if (choice == "Hold") out.on_no_data = OnNoData::kHold;
  else if (choice == "Pause") out.on_no_data = OnNoData::kPause;
  else if (choice == "Fail") out.on_no_data = OnNoData::kFail;
  else return Expected(on_no_data_field, "one of Hold, Pause, Fail", *on_no_data);
  return out;
}

}  // namespace

const char* OnNoDataName(OnNoData on_no_data) {
  switch (on_no_data) {
    case OnNoData::kHold: return "Hold";
    case OnNoData::kPause: return "Pause";
    case OnNoData::kFail: return "Fail";
  }
  return "Unknown";
}

bool MetricSpec::NeedsChampion() const {
  return max_increase_over_champion || max_relative_increase_over_champion || max_decrease_below_champion ||
         max_relative_decrease_below_champion;
}

std::optional<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double total_ms = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t digits_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == digits_start) return std::nullopt;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      const size_t fraction_start = pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
      if (pos == fraction_start) return std::nullopt;
    }
    const std::optional<double> number = ParseNumber(text.substr(digits_start, pos - digits_start));
    if (!number) return std::nullopt;
    double unit_ms = 0;
    if (text.substr(pos, 2) == "ms") {
      unit_ms = 1;
      pos += 2;
    } else if (pos < text.size() && text[pos] == 's') {
      unit_ms = 1000;
      ++pos;
    } else if (pos < text.size() && text[pos] == 'm') {
      unit_ms = 60'000;
      ++pos;
    } else if (pos < text.size() && text[pos] == 'h') {
      unit_ms = 3'600'000;
      ++pos;
    } else {
      return std::nullopt;
    }
    total_ms += *number * unit_ms;
  }
  if (!(total_ms < 9e15)) return std::nullopt;
  return Duration(static_cast<Duration::rep>(total_ms));
}

std::string PrometheusDuration(Duration duration) {
  const auto ms = duration.count();
  if (ms > 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms > 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms > 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

Result<AnalysisSpec> ParseAnalysisSpec(const json& analysis) {
  const std::string path = "spec.analysis";
  if (!analysis.is_object()) return Expected(path, "an object", analysis);
  if (Status s = CheckKnownFields(
          analysis, path,
          {"prometheus", "interval", "outageTimeout", "noDataTimeout", "sampleCountQuery", "metrics"});
      !s.ok()) {
    return s;
  }
  AnalysisSpec out;
  Result<PrometheusSpec> prometheus = ParsePrometheus(analysis, path);
  if (!prometheus.ok()) return prometheus.status();
  out.prometheus = std::move(prometheus).value();
  if (Status s = OptionalDuration(analysis, path, "interval", true, out.interval); !s.ok()) return s;
  if (Status s = OptionalDuration(analysis, path, "outageTimeout", false, out.outage_timeout); !s.ok()) return s;
  if (Status s = OptionalDuration(analysis, path, "noDataTimeout", false, out.no_data_timeout); !s.ok()) return s;
  if (Status s = OptionalString(analysis, path, "sampleCountQuery", out.sample_count_query); !s.ok()) return s;
  if (out.sample_count_query) {
    if (Status s = CheckQuery(*out.sample_count_query, path + ".sampleCountQuery", "(all metrics)"); !s.ok()) {
      return s;
    }
  }

  auto metrics = analysis.find("metrics");
  const std::string metrics_path = path + ".metrics";
  if (metrics == analysis.end() || metrics->is_null()) return Status::Invalid(metrics_path + ": required");
  if (!metrics->is_array()) return Expected(metrics_path, "a list", *metrics);
  if (metrics->empty() || metrics->size() > kMaxMetrics) {
    return Status::Invalid(metrics_path + ": expected 1 to " + std::to_string(kMaxMetrics) + " metrics, got " +
                           std::to_string(metrics->size()));
  }
  std::set<std::string> names;
  for (size_t i = 0; i < metrics->size(); ++i) {
    const std::string item_path = metrics_path + "[" + std::to_string(i) + "]";
    Result<MetricSpec> metric = ParseMetric((*metrics)[i], item_path, out.sample_count_query);
    if (!metric.ok()) return metric.status();
    if (!names.insert(metric->name).second) {
      return Status::Invalid(item_path + ".name: duplicate metric name \"" + metric->name + "\"");
    }
    out.metrics.push_back(std::move(metric).value());
  }
  return out;
}

}  // namespace modelgate::gates::analysis
