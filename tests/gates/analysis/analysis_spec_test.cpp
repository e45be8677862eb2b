#include "gates/analysis/analysis_spec.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace modelgate::gates::analysis {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

json Spec() {
  return json::parse(R"json({
    "prometheus": {"address": "http://prometheus.monitoring:9090"},
    "metrics": [
      {"name": "error-rate", "query": "sum(rate(errors{variant=\"{{variant}}\"}[{{interval}}]))",
       "max": 0.05, "maxIncreaseOverChampion": 0.01, "onNoData": "Hold"},
      {"name": "latency-p99", "query": "histogram_quantile(0.99, x{variant=\"{{variant}}\"})",
       "maxRelativeIncreaseOverChampion": 0.1, "failureLimit": 1, "minSamples": 200,
       "sampleCountQuery": "sum(increase(req{variant=\"{{variant}}\"}[{{interval}}]))", "onNoData": "Pause"}
    ]})json");
}

std::string ErrorOf(const json& spec) {
  Result<AnalysisSpec> parsed = ParseAnalysisSpec(spec);
  return parsed.ok() ? "(parsed)" : parsed.status().message();
}

TEST(AnalysisSpec, ParsesMetricsAndAppliesCrdDefaults) {
  Result<AnalysisSpec> parsed = ParseAnalysisSpec(Spec());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->prometheus.address, "http://prometheus.monitoring:9090");
  EXPECT_EQ(parsed->prometheus.timeout, 10s);
  EXPECT_EQ(parsed->interval, 1min);
  EXPECT_EQ(parsed->outage_timeout, 5min);
  EXPECT_EQ(parsed->no_data_timeout, 10min);
  ASSERT_EQ(parsed->metrics.size(), 2u);
  const MetricSpec& error_rate = parsed->metrics[0];
  EXPECT_EQ(error_rate.name, "error-rate");
  EXPECT_EQ(error_rate.path, "spec.analysis.metrics[0]");
  EXPECT_EQ(error_rate.max, 0.05);
  EXPECT_EQ(error_rate.max_increase_over_champion, 0.01);
  EXPECT_FALSE(error_rate.min.has_value());
  EXPECT_EQ(error_rate.failure_limit, 0);
  EXPECT_EQ(error_rate.min_samples, 0);
  EXPECT_EQ(error_rate.on_no_data, OnNoData::kHold);
  const MetricSpec& latency = parsed->metrics[1];
  EXPECT_EQ(latency.max_relative_increase_over_champion, 0.1);
  EXPECT_EQ(latency.failure_limit, 1);
  EXPECT_EQ(latency.min_samples, 200);
  EXPECT_EQ(latency.on_no_data, OnNoData::kPause);
  EXPECT_TRUE(latency.NeedsChampion());
}

TEST(AnalysisSpec, ParsesDurationsAndSecretRefsWithDefaultKeys) {
  json spec = Spec();
  spec["interval"] = "30s";
  spec["outageTimeout"] = "1h30m";
  spec["noDataTimeout"] = "1.5m";
  spec["prometheus"]["timeout"] = "500ms";
  spec["prometheus"]["bearerTokenSecretRef"] = {{"name", "prom-token"}};
  spec["prometheus"]["caSecretRef"] = {{"name", "prom-ca"}, {"key", "bundle.pem"}};
  Result<AnalysisSpec> parsed = ParseAnalysisSpec(spec);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->interval, 30s);
  EXPECT_EQ(parsed->outage_timeout, 90min);
  EXPECT_EQ(parsed->no_data_timeout, 90s);
  EXPECT_EQ(parsed->prometheus.timeout, 500ms);
  EXPECT_EQ(parsed->prometheus.bearer_token_secret_ref->key, "token");
  EXPECT_EQ(parsed->prometheus.ca_secret_ref->key, "bundle.pem");
}

TEST(AnalysisSpec, MetricInheritsTheAnalysisSampleCountQuery) {
  json spec = Spec();
  spec["sampleCountQuery"] = "sum(req{variant=\"{{variant}}\"})";
  spec["metrics"][0]["minSamples"] = 10;
  Result<AnalysisSpec> parsed = ParseAnalysisSpec(spec);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->metrics[0].sample_count_query, "sum(req{variant=\"{{variant}}\"})");
  EXPECT_EQ(parsed->metrics[1].sample_count_query, "sum(increase(req{variant=\"{{variant}}\"}[{{interval}}]))");
}

TEST(AnalysisSpec, ThresholdOfTheWrongTypeNamesTheField) {
  json spec = Spec();
  spec["metrics"][1]["maxRelativeIncreaseOverChampion"] = "ten";
  EXPECT_EQ(ErrorOf(spec), "spec.analysis.metrics[1].maxRelativeIncreaseOverChampion: expected a number, got \"ten\"");
}

TEST(AnalysisSpec, OnNoDataIsRequired) {
  json spec = Spec();
  spec["metrics"][0].erase("onNoData");
  EXPECT_NE(ErrorOf(spec).find("spec.analysis.metrics[0].onNoData: required"), std::string::npos);
}

TEST(AnalysisSpec, OnNoDataHasNoPassOption) {
  json spec = Spec();
  spec["metrics"][0]["onNoData"] = "Pass";
  EXPECT_EQ(ErrorOf(spec), "spec.analysis.metrics[0].onNoData: expected one of Hold, Pause, Fail, got \"Pass\"");
}

TEST(AnalysisSpec, MetricWithoutThresholdIsRejected) {
  json spec = Spec();
  spec["metrics"][0].erase("max");
  spec["metrics"][0].erase("maxIncreaseOverChampion");
  EXPECT_NE(ErrorOf(spec).find("spec.analysis.metrics[0]: a metric needs at least one threshold"), std::string::npos);
}

TEST(AnalysisSpec, MinGreaterThanMaxIsRejected) {
  json spec = Spec();
  spec["metrics"][0]["min"] = 0.5;
  EXPECT_NE(ErrorOf(spec).find("spec.analysis.metrics[0].min: must not be greater than max"), std::string::npos);
}

TEST(AnalysisSpec, NegativeChampionThresholdIsRejected) {
  json spec = Spec();
  spec["metrics"][0]["maxIncreaseOverChampion"] = -0.1;
  EXPECT_NE(ErrorOf(spec).find("spec.analysis.metrics[0].maxIncreaseOverChampion: must be >= 0"), std::string::npos);
}

TEST(AnalysisSpec, RelativeDecreaseAboveOneIsRejected) {
  json spec = Spec();
  spec["metrics"][0]["maxRelativeDecreaseBelowChampion"] = 1.5;
  EXPECT_NE(ErrorOf(spec).find("spec.analysis.metrics[0].maxRelativeDecreaseBelowChampion: is a fraction"),
            std::string::npos);
}

TEST(AnalysisSpec, FailureLimitMustBeAnIntegerInRange) {
  json spec = Spec();
  spec["metrics"][0]["failureLimit"] = 1.5;
  EXPECT_EQ(ErrorOf(spec), "spec.analysis.metrics[0].failureLimit: expected an integer, got 1.5");
  spec["metrics"][0]["failureLimit"] = 101;
  EXPECT_NE(ErrorOf(spec).find("failureLimit: must be between 0 and 100"), std::string::npos);
}

TEST(AnalysisSpec, MinSamplesNeedsASampleCountQuery) {
  json spec = Spec();
  spec["metrics"][0]["minSamples"] = 5;
  EXPECT_NE(ErrorOf(spec).find("spec.analysis.metrics[0].minSamples: needs a sampleCountQuery"), std::string::npos);
}

TEST(AnalysisSpec, QueryWithoutVariantIsRejected) {
  json spec = Spec();
  spec["metrics"][0]["query"] = "sum(rate(errors[1m]))";
  EXPECT_NE(ErrorOf(spec).find("spec.analysis.metrics[0].query: must contain {{variant}}"), std::string::npos);
}

TEST(AnalysisSpec, UnknownPlaceholderNamesTheMetric) {
  json spec = Spec();
  spec["metrics"][1]["sampleCountQuery"] = "sum(req{variant=\"{{variant}}\", pod=\"{{pod}}\"})";
  const std::string error = ErrorOf(spec);
  EXPECT_NE(error.find("spec.analysis.metrics[1].sampleCountQuery: unknown placeholder {{pod}} in metric "
                       "\"latency-p99\""),
            std::string::npos)
      << error;
}

TEST(AnalysisSpec, DuplicateMetricNamesAreRejected) {
  json spec = Spec();
  spec["metrics"][1]["name"] = "error-rate";
  EXPECT_EQ(ErrorOf(spec), "spec.analysis.metrics[1].name: duplicate metric name \"error-rate\"");
}

TEST(AnalysisSpec, UnknownFieldSuggestsTheNearestName) {
  json spec = Spec();
  spec["metrics"][0]["maxIncreaseOverChampoin"] = 0.1;
  EXPECT_EQ(ErrorOf(spec),
            "spec.analysis.metrics[0].maxIncreaseOverChampoin: unknown field (did you mean maxIncreaseOverChampion?)");
}

TEST(AnalysisSpec, MalformedDurationNamesTheField) {
  json spec = Spec();
  spec["interval"] = "5 minutes";
  EXPECT_NE(ErrorOf(spec).find("spec.analysis.interval: expected a duration"), std::string::npos);
  spec["interval"] = "0s";
  EXPECT_EQ(ErrorOf(spec), "spec.analysis.interval: must be greater than 0");
}

TEST(AnalysisSpec, AddressMustBeHttpOrHttps) {
  json spec = Spec();
  spec["prometheus"]["address"] = "prometheus:9090";
  EXPECT_NE(ErrorOf(spec).find("spec.analysis.prometheus.address: expected an http:// or https:// URL"),
            std::string::npos);
  spec.erase("prometheus");
  EXPECT_EQ(ErrorOf(spec), "spec.analysis.prometheus: required");
}

TEST(AnalysisSpec, MetricsListMustNotBeEmpty) {
  json spec = Spec();
  spec["metrics"] = json::array();
  EXPECT_EQ(ErrorOf(spec), "spec.analysis.metrics: expected 1 to 16 metrics, got 0");
}

TEST(Duration, ParsesTheCrdPattern) {
  EXPECT_EQ(ParseDuration("30s"), Duration(30'000));
  EXPECT_EQ(ParseDuration("1h30m"), Duration(5'400'000));
  EXPECT_EQ(ParseDuration("1.5h"), Duration(5'400'000));
  EXPECT_EQ(ParseDuration("250ms"), Duration(250));
  EXPECT_EQ(ParseDuration("1m30s500ms"), Duration(90'500));
  EXPECT_FALSE(ParseDuration("300").has_value());
  EXPECT_FALSE(ParseDuration("5 m").has_value());
  EXPECT_FALSE(ParseDuration("1d").has_value());
  EXPECT_FALSE(ParseDuration(".5s").has_value());
  EXPECT_FALSE(ParseDuration("").has_value());
}

TEST(Duration, PrometheusTextUsesTheLargestExactUnit) {
  EXPECT_EQ(PrometheusDuration(std::chrono::minutes(1)), "1m");
  EXPECT_EQ(PrometheusDuration(std::chrono::seconds(90)), "90s");
  EXPECT_EQ(PrometheusDuration(std::chrono::minutes(90)), "90m");
  EXPECT_EQ(PrometheusDuration(std::chrono::hours(2)), "2h");
  EXPECT_EQ(PrometheusDuration(Duration(1500)), "1500ms");
}

}  // namespace
}  // namespace modelgate::gates::analysis
