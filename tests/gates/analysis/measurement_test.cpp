#include "gates/analysis/measurement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "gates/common/text.h"
#include "tests/gates/analysis/fake_metrics_provider.h"

namespace modelgate::gates::analysis {
namespace {

using ::testing::HasSubstr;
using testing::FakeMetricsProvider;
using testing::Unreachable;

const TimePoint kAt = TimePoint(std::chrono::seconds(1'700'000'000));

QueryResult V(double value) { return Sample::Value(value, FormatNumber(value)); }

MetricSpec Metric(const std::string& name = "error-rate") {
  MetricSpec m;
  m.name = name;
  m.path = "spec.analysis.metrics[0]";
  m.query = "q{variant=\"{{variant}}\"}";
  m.on_no_data = OnNoData::kHold;
  return m;
}

VariantReading Reading(std::optional<QueryResult> value, std::optional<QueryResult> samples = std::nullopt) {
  VariantReading r;
  r.query = "q";
  r.value = std::move(value);
  r.samples = std::move(samples);
  return r;
}

MetricMeasurement Judge(const MetricSpec& m, QueryResult challenger, QueryResult champion) {
  return JudgeMetric(m, Variant::kCanary, Reading(std::move(challenger)), Reading(std::move(champion)), kAt);
}

// --- absolute thresholds ---------------------------------------------------------------------

TEST(JudgeMetric, MaxPassesWhenChallengerEqualsMax) {
  MetricSpec m = Metric();
  m.max = 0.5;
  EXPECT_EQ(Judge(m, V(0.5), V(0.1)).verdict, Verdict::kSuccess);
}

TEST(JudgeMetric, MaxFailsWhenChallengerIsAboveMax) {
  MetricSpec m = Metric();
  m.max = 0.05;
  MetricMeasurement r = Judge(m, Sample::Value(0.081, "0.081"), V(0.01));
  EXPECT_EQ(r.verdict, Verdict::kFailure);
  EXPECT_EQ(r.message, "error-rate: canary 0.081 > 0.05 (max)");
  EXPECT_EQ(r.threshold, "challenger <= 0.05");
  ASSERT_EQ(r.checks.size(), 1u);
  EXPECT_EQ(r.checks[0].name, "max");
  EXPECT_EQ(r.checks[0].outcome, ThresholdCheck::Outcome::kCrossed);
}

TEST(JudgeMetric, MinPassesWhenChallengerEqualsMin) {
  MetricSpec m = Metric("accuracy");
  m.min = 0.75;
  EXPECT_EQ(Judge(m, V(0.75), V(0.9)).verdict, Verdict::kSuccess);
}

TEST(JudgeMetric, MinFailsWhenChallengerIsBelowMin) {
  MetricSpec m = Metric("accuracy");
  m.min = 0.75;
  MetricMeasurement r = Judge(m, V(0.5), V(0.9));
  EXPECT_EQ(r.verdict, Verdict::kFailure);
  EXPECT_EQ(r.message, "accuracy: canary 0.5 < 0.75 (min)");
}

TEST(JudgeMetric, PositiveInfinityIsAValueThatCrossesMax) {
  MetricSpec m = Metric("latency-p99");
  m.max = 0.25;
  MetricMeasurement r = Judge(m, Sample::Value(std::numeric_limits<double>::infinity(), "+Inf"), V(0.1));
  EXPECT_EQ(r.verdict, Verdict::kFailure);
  EXPECT_EQ(r.challenger_value, "+Inf");
}

// --- thresholds relative to the champion -----------------------------------------------------

TEST(JudgeMetric, MaxIncreaseOverChampionPassesAtExactlyTheLimit) {
  MetricSpec m = Metric();
  m.max_increase_over_champion = 0.25;
  EXPECT_EQ(Judge(m, V(0.5), V(0.25)).verdict, Verdict::kSuccess);  // 0.5 - 0.25 = 0.25, not > 0.25
}

TEST(JudgeMetric, RollsBackWhenCanaryErrorRateExceedsChampionByMoreThanThreshold) {
  MetricSpec m = Metric();
  m.max_increase_over_champion = 0.05;
  MetricMeasurement r = Judge(m, Sample::Value(0.081, "0.081"), Sample::Value(0.010, "0.010"));
  EXPECT_EQ(r.verdict, Verdict::kFailure);
  EXPECT_EQ(r.message, "error-rate: canary 0.081 > champion 0.010 + 0.05 (maxIncreaseOverChampion)");
  EXPECT_EQ(r.threshold, "challenger - champion <= 0.05 (challenger <= 0.06)");
  EXPECT_EQ(r.challenger_value, "0.081");
  EXPECT_EQ(r.champion_value, "0.010");
}

TEST(JudgeMetric, MaxRelativeIncreaseOverChampionPassesAtExactlyTheBound) {
  MetricSpec m = Metric("latency-p99");
  m.max_relative_increase_over_champion = 0.5;
  EXPECT_EQ(Judge(m, V(0.75), V(0.5)).verdict, Verdict::kSuccess);  // bound 0.5 * 1.5 = 0.75
}

TEST(JudgeMetric, MaxRelativeIncreaseOverChampionFailsAboveTheBound) {
  MetricSpec m = Metric("latency-p99");
  m.max_relative_increase_over_champion = 0.1;
  MetricMeasurement r = Judge(m, Sample::Value(0.02, "0.02"), Sample::Value(0.012, "0.012"));
  EXPECT_EQ(r.verdict, Verdict::kFailure);
  EXPECT_EQ(r.message,
            "latency-p99: canary 0.02 > champion 0.012 * (1 + 0.1) = 0.0132 (maxRelativeIncreaseOverChampion)");
  EXPECT_EQ(r.threshold, "challenger <= champion * (1 + 0.1) = 0.0132");
}

TEST(JudgeMetric, RelativeIncreaseOverAZeroChampionFailsOnAnyIncrease) {
  MetricSpec m = Metric();
  m.max_relative_increase_over_champion = 0.1;
  EXPECT_EQ(Judge(m, V(0.001), V(0)).verdict, Verdict::kFailure);
  EXPECT_EQ(Judge(m, V(0), V(0)).verdict, Verdict::kSuccess);
}

TEST(JudgeMetric, MaxDecreaseBelowChampionPassesAtExactlyTheLimit) {
  MetricSpec m = Metric("accuracy");
  m.max_decrease_below_champion = 0.25;
  EXPECT_EQ(Judge(m, V(0.5), V(0.75)).verdict, Verdict::kSuccess);  // 0.75 - 0.5 = 0.25, not > 0.25
}

TEST(JudgeMetric, MaxDecreaseBelowChampionFailsBeyondTheLimit) {
  MetricSpec m = Metric("accuracy");
  m.max_decrease_below_champion = 0.25;
  MetricMeasurement r = Judge(m, V(0.375), V(0.75));
  EXPECT_EQ(r.verdict, Verdict::kFailure);
  EXPECT_EQ(r.message, "accuracy: canary 0.375 < champion 0.75 - 0.25 (maxDecreaseBelowChampion)");
}

TEST(JudgeMetric, MaxRelativeDecreaseBelowChampionPassesAtExactlyTheBound) {
  MetricSpec m = Metric("accuracy");
  m.max_relative_decrease_below_champion = 0.5;
  EXPECT_EQ(Judge(m, V(0.25), V(0.5)).verdict, Verdict::kSuccess);  // bound 0.5 * 0.5 = 0.25
}

TEST(JudgeMetric, MaxRelativeDecreaseBelowChampionFailsBelowTheBound) {
  MetricSpec m = Metric("accuracy");
  m.max_relative_decrease_below_champion = 0.5;
  MetricMeasurement r = Judge(m, V(0.125), V(0.5));
  EXPECT_EQ(r.verdict, Verdict::kFailure);
  EXPECT_EQ(r.message,
            "accuracy: canary 0.125 < champion 0.5 * (1 - 0.5) = 0.25 (maxRelativeDecreaseBelowChampion)");
}

TEST(JudgeMetric, EveryCrossedThresholdIsReported) {
  MetricSpec m = Metric();
  m.max = 0.05;
  m.max_increase_over_champion = 0.01;
  MetricMeasurement r = Judge(m, V(0.5), V(0.25));
  EXPECT_EQ(r.verdict, Verdict::kFailure);
  EXPECT_THAT(r.message, HasSubstr("(max)"));
  EXPECT_THAT(r.message, HasSubstr("(maxIncreaseOverChampion)"));
  EXPECT_EQ(r.threshold, "challenger <= 0.05; challenger - champion <= 0.01 (challenger <= 0.26)");
}

TEST(JudgeMetric, SuccessStatesTheValuesAndThresholds) {
  MetricSpec m = Metric();
  m.max = 0.05;
  m.max_increase_over_champion = 0.01;
  MetricMeasurement r = Judge(m, V(0.01), V(0.01));
  EXPECT_EQ(r.verdict, Verdict::kSuccess);
  EXPECT_EQ(r.message,
            "error-rate: canary 0.01, champion 0.01: within challenger <= 0.05; challenger - champion <= 0.01 "
            "(challenger <= 0.02)");
}

// --- no data, NaN and provider errors ---------------------------------------------------------

TEST(JudgeMetric, NoDataIsInconclusiveNeverSuccess) {
  MetricSpec m = Metric();
  m.max = 0.05;  // "nothing measured" would pass a naive max check
  MetricMeasurement r = Judge(m, Sample::NoData(), V(0.01));
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_EQ(r.message, "error-rate: no data for canary (empty result)");
  EXPECT_EQ(r.challenger_value, "");
  EXPECT_EQ(r.checks[0].outcome, ThresholdCheck::Outcome::kNotChecked);
}

TEST(JudgeMetric, NaNIsInconclusive) {
  MetricSpec m = Metric();
  m.max = 0.05;
  MetricMeasurement r = Judge(m, Sample::NaN(), V(0.01));
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_EQ(r.message, "error-rate: canary value is NaN");
  EXPECT_EQ(r.challenger_value, "NaN");
}

TEST(JudgeMetric, MissingChampionValueMakesAChampionThresholdInconclusive) {
  MetricSpec m = Metric();
  m.max_increase_over_champion = 0.01;
  EXPECT_EQ(Judge(m, V(0.01), Sample::NoData()).verdict, Verdict::kInconclusive);
  EXPECT_EQ(Judge(m, V(0.01), Sample::NaN()).verdict, Verdict::kInconclusive);
}

TEST(JudgeMetric, MissingChampionValueDoesNotMatterForAbsoluteThresholds) {
  MetricSpec m = Metric();
  m.max = 0.05;
  EXPECT_EQ(Judge(m, V(0.01), Sample::NoData()).verdict, Verdict::kSuccess);
  EXPECT_EQ(Judge(m, V(0.01), Unreachable()).verdict, Verdict::kSuccess);
}

TEST(JudgeMetric, InfiniteChallengerAndChampionMakeADifferenceUndefined) {
  MetricSpec m = Metric("latency-p99");
  m.max_increase_over_champion = 0.1;
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(Judge(m, Sample::Value(inf, "+Inf"), Sample::Value(inf, "+Inf")).verdict, Verdict::kInconclusive);
}

TEST(JudgeMetric, ProviderFailureIsError) {
  MetricSpec m = Metric();
  m.max = 0.05;
  MetricMeasurement r = Judge(m, Unreachable("GET /api/v1/query: connection refused"), V(0.01));
  EXPECT_EQ(r.verdict, Verdict::kError);
  EXPECT_EQ(r.message, "error-rate: canary query failed: Unreachable: GET /api/v1/query: connection refused");
}

TEST(JudgeMetric, PrometheusErrorDocumentIsError) {
  MetricSpec m = Metric();
  m.max = 0.05;
  MetricMeasurement r =
      Judge(m, ProviderError{ProviderError::Kind::kPrometheusError, 400, "bad_data: parse error"}, V(0.01));
  EXPECT_EQ(r.verdict, Verdict::kError);
  EXPECT_THAT(r.message, HasSubstr("PrometheusError (HTTP 400): bad_data: parse error"));
}

TEST(JudgeMetric, SeveralSeriesAreAnErrorAskingForAnAggregation) {
  MetricSpec m = Metric();
  m.max = 0.05;
  MetricMeasurement r = Judge(m, Sample::Multiple(2, "{pod=\"a\"}, {pod=\"b\"}"), V(0.01));
  EXPECT_EQ(r.verdict, Verdict::kError);
  EXPECT_THAT(r.message, HasSubstr("returned 2 series ({pod=\"a\"}, {pod=\"b\"}); aggregate it"));
}

TEST(JudgeMetric, CrossedThresholdIsAFailureEvenWhenTheChampionQueryFailed) {
  MetricSpec m = Metric();
  m.max = 0.05;
  m.max_increase_over_champion = 0.01;
  EXPECT_EQ(Judge(m, V(0.5), Unreachable()).verdict, Verdict::kFailure);
}

TEST(JudgeMetric, ErrorOutweighsNoData) {
  MetricSpec m = Metric();
  m.max_increase_over_champion = 0.01;
  m.max = 0.05;
  // The champion failed (Error) and nothing crossed: Error, not Inconclusive.
  EXPECT_EQ(Judge(m, V(0.01), Unreachable()).verdict, Verdict::kError);
}

TEST(JudgeMetric, ChallengerWithoutDataIsInconclusiveWhateverTheChampion) {
  MetricSpec m = Metric();
  m.max_increase_over_champion = 0.01;
  EXPECT_EQ(Judge(m, Sample::NoData(), Unreachable()).verdict, Verdict::kInconclusive);
}

// --- minSamples ------------------------------------------------------------------------------

MetricMeasurement JudgeWithSamples(const MetricSpec& m, QueryResult challenger_samples,
                                   QueryResult champion_samples) {
  return JudgeMetric(m, Variant::kCanary, Reading(V(0.01), std::move(challenger_samples)),
                     Reading(V(0.01), std::move(champion_samples)), kAt);
}

TEST(JudgeMetric, FewerThanMinSamplesIsInconclusive) {
  MetricSpec m = Metric();
  m.max = 0.05;
  m.min_samples = 200;
  MetricMeasurement r = JudgeWithSamples(m, V(199), V(5000));
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_EQ(r.message, "error-rate: canary served 199 requests, fewer than minSamples 200");
  EXPECT_EQ(r.challenger_samples, 199);
  EXPECT_EQ(r.champion_samples, 5000);
}

TEST(JudgeMetric, ExactlyMinSamplesIsEnough) {
  MetricSpec m = Metric();
  m.max = 0.05;
  m.min_samples = 200;
  EXPECT_EQ(JudgeWithSamples(m, V(200), V(200)).verdict, Verdict::kSuccess);
}

TEST(JudgeMetric, FractionalSampleCountIsRoundedDown) {
  MetricSpec m = Metric();
  m.max = 0.05;
  m.min_samples = 200;
  MetricMeasurement r = JudgeWithSamples(m, V(199.9), V(5000));  // increase() extrapolates
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_EQ(r.challenger_samples, 199);
}

TEST(JudgeMetric, TooFewSamplesHideACrossedThreshold) {
  MetricSpec m = Metric();
  m.max = 0.05;
  m.min_samples = 200;
  MetricMeasurement r =
      JudgeMetric(m, Variant::kCanary, Reading(V(0.5), V(3)), Reading(V(0.01), V(5000)), kAt);
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);  // 3 requests must not kill a model
}

TEST(JudgeMetric, ChampionSamplesCountOnlyForChampionThresholds) {
  MetricSpec absolute = Metric();
  absolute.max = 0.05;
  absolute.min_samples = 200;
  EXPECT_EQ(JudgeWithSamples(absolute, V(500), V(0)).verdict, Verdict::kSuccess);

  MetricSpec relative = Metric();
  relative.max_increase_over_champion = 0.05;
  relative.min_samples = 200;
  MetricMeasurement r = JudgeWithSamples(relative, V(500), V(10));
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_THAT(r.message, HasSubstr("champion served 10 requests, fewer than minSamples 200"));
}

TEST(JudgeMetric, EmptySampleCountIsInconclusive) {
  MetricSpec m = Metric();
  m.max = 0.05;
  m.min_samples = 1;
  MetricMeasurement r = JudgeWithSamples(m, Sample::NoData(), V(10));
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_FALSE(r.challenger_samples.has_value());
}

TEST(JudgeMetric, FailedSampleCountQueryIsError) {
  MetricSpec m = Metric();
  m.max = 0.05;
  m.min_samples = 1;
  EXPECT_EQ(JudgeWithSamples(m, Unreachable(), V(10)).verdict, Verdict::kError);
}

// --- one interval through a provider ----------------------------------------------------------

AnalysisSpec TwoMetrics() {
  AnalysisSpec spec;
  spec.interval = std::chrono::seconds(30);
  MetricSpec errors = Metric("error-rate");
  errors.query = "rate(errors{variant=\"{{variant}}\",ns=\"{{namespace}}\",model=\"{{model}}\"}[{{interval}}])";
  errors.max = 0.05;
  errors.min_samples = 100;
  errors.sample_count_query = "req{variant=\"{{variant}}\"}";
  MetricSpec latency = Metric("latency-p99");
  latency.path = "spec.analysis.metrics[1]";
  latency.query = "p99{variant=\"{{variant}}\"}";
  latency.max_relative_increase_over_champion = 0.1;
  spec.metrics = {errors, latency};
  return spec;
}

TEST(MeasureInterval, QueriesChallengerAndChampionAtTheGivenTime) {
  FakeMetricsProvider provider;
  provider.AnswerValue(R"(rate(errors{variant="canary",ns="ml",model="fraud"}[30s]))", 0.01, "0.01");
  provider.AnswerValue(R"(rate(errors{variant="champion",ns="ml",model="fraud"}[30s]))", 0.02, "0.02");
  provider.AnswerValue(R"(req{variant="canary"})", 150, "150");
  provider.AnswerValue(R"(req{variant="champion"})", 1500, "1500");
  provider.AnswerValue(R"(p99{variant="canary"})", 0.3, "0.3");
  provider.AnswerValue(R"(p99{variant="champion"})", 0.2, "0.2");

  Result<std::vector<MetricMeasurement>> r = MeasureInterval(
      TwoMetrics(), IntervalContext{.challenger = Variant::kCanary, .namespace_name = "ml", .model = "fraud", .at = kAt},
      provider);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].verdict, Verdict::kSuccess) << (*r)[0].message;
  EXPECT_EQ((*r)[0].challenger.query, R"(rate(errors{variant="canary",ns="ml",model="fraud"}[30s]))");
  EXPECT_EQ((*r)[0].champion.query, R"(rate(errors{variant="champion",ns="ml",model="fraud"}[30s]))");
  EXPECT_EQ((*r)[0].challenger_samples, 150);
  EXPECT_EQ((*r)[0].measured_at, kAt);
  EXPECT_EQ((*r)[1].verdict, Verdict::kFailure);
  EXPECT_EQ((*r)[1].message,
            "latency-p99: canary 0.3 > champion 0.2 * (1 + 0.1) = 0.22 (maxRelativeIncreaseOverChampion)");
  ASSERT_EQ(provider.calls().size(), 6u);
  for (const auto& [query, at] : provider.calls()) EXPECT_EQ(at, kAt) << query;
}

TEST(MeasureInterval, ShadowIsMeasuredAsTheShadowVariant) {
  FakeMetricsProvider provider;
  AnalysisSpec spec = TwoMetrics();
  spec.metrics.erase(spec.metrics.begin());
  provider.AnswerValue(R"(p99{variant="shadow"})", 0.2, "0.2");
  provider.AnswerValue(R"(p99{variant="champion"})", 0.2, "0.2");
  Result<std::vector<MetricMeasurement>> r =
      MeasureInterval(spec, IntervalContext{.challenger = Variant::kShadow, .at = kAt}, provider);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].verdict, Verdict::kSuccess);
  EXPECT_THAT((*r)[0].message, HasSubstr("shadow 0.2"));
}

TEST(MeasureInterval, UnreachableProviderMakesEveryMetricAnErrorWithoutWaitingForEachQuery) {
  FakeMetricsProvider provider;
  provider.Answer(R"(rate(errors{variant="canary",ns="",model=""}[30s]))", Unreachable());
  Result<std::vector<MetricMeasurement>> r =
      MeasureInterval(TwoMetrics(), IntervalContext{.challenger = Variant::kCanary, .at = kAt}, provider);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].verdict, Verdict::kError);
  EXPECT_EQ((*r)[1].verdict, Verdict::kError);
  EXPECT_THAT((*r)[1].message, HasSubstr("not sent after an earlier failure"));
  EXPECT_EQ(provider.calls().size(), 1u);
}

TEST(MeasureInterval, UnknownPlaceholderInAHandBuiltSpecIsAnError) {
  FakeMetricsProvider provider;
  AnalysisSpec spec = TwoMetrics();
  spec.metrics[1].query = "p99{variant=\"{{variant}}\",pod=\"{{pod}}\"}";
  spec.metrics[0].min_samples = 0;
  provider.AnswerValue(R"(rate(errors{variant="canary",ns="",model=""}[30s]))", 0.01, "0.01");
  Result<std::vector<MetricMeasurement>> r =
      MeasureInterval(spec, IntervalContext{.challenger = Variant::kCanary, .at = kAt}, provider);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("unknown placeholder {{pod}} in metric \"latency-p99\""));
}

}  // namespace
}  // namespace modelgate::gates::analysis
