// Tests of controllers/pipeline/pipeline_spec.h: the defaults, and every problem the schema cannot
// catch reported as a sentence naming the field.
#include "controllers/pipeline/pipeline_spec.h"

#include <gtest/gtest.h>

namespace modelgate::controllers::pipeline {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

json MinimalSpec() {
  return {{"model", "fraud-detector"},
          {"candidateTemplate", {{"artifact", {{"uri", "s3://models/fraud-detector/{{version}}/"}}}}}};
}

PipelineSpec Parse(const json& spec) {
  std::string error;
  auto parsed = ParsePipelineSpec(spec, &error);
  EXPECT_TRUE(parsed.has_value()) << error;
  return parsed.value_or(PipelineSpec{});
}

std::string ParseError(const json& spec) {
  std::string error;
  auto parsed = ParsePipelineSpec(spec, &error);
  EXPECT_FALSE(parsed.has_value());
  return error;
}

TEST(PipelineSpec, ReadsTheModelAndKeepsTheTemplateUnrendered) {
  const PipelineSpec spec = Parse(MinimalSpec());
  EXPECT_EQ(spec.model, "fraud-detector");
  EXPECT_EQ(spec.candidate_template, MinimalSpec()["candidateTemplate"]);
}

TEST(PipelineSpec, DefaultsConcurrencyPolicyToForbid) {
  EXPECT_EQ(Parse(MinimalSpec()).concurrency, ConcurrencyPolicy::kForbid);
}

TEST(PipelineSpec, DefaultsPromotionToManual) {
  const PipelineSpec spec = Parse(MinimalSpec());
  EXPECT_FALSE(spec.automatic_promotion);
  EXPECT_EQ(spec.rollout_name, "");
}

TEST(PipelineSpec, DefaultsHistoryLimitsToTenAndTen) {
  const PipelineSpec spec = Parse(MinimalSpec());
  EXPECT_EQ(spec.keep_succeeded, 10);
  EXPECT_EQ(spec.keep_failed, 10);
}

TEST(PipelineSpec, DefaultsAlertsToDisabledWithAnHourOfCooldown) {
  const PipelineSpec spec = Parse(MinimalSpec());
  EXPECT_FALSE(spec.alerts.enabled);
  EXPECT_EQ(spec.alerts.cooldown, hours(1));
  EXPECT_TRUE(spec.alerts.match_labels.empty());
}

TEST(PipelineSpec, DefaultsToNoScheduleAndNotSuspended) {
  const PipelineSpec spec = Parse(MinimalSpec());
  EXPECT_FALSE(spec.schedule.has_value());
  EXPECT_FALSE(spec.suspend);
}

TEST(PipelineSpec, DefaultCooldownAppliesWhenAlertsOmitIt) {
  json spec = MinimalSpec();
  spec["alerts"] = {{"enabled", true}, {"tokenSecretRef", {{"name", "am-token"}, {"key", "token"}}}};
  EXPECT_EQ(Parse(spec).alerts.cooldown, hours(1));
}

TEST(PipelineSpec, RequiresTheModel) { EXPECT_EQ(ParseError({{"candidateTemplate", json::object()}}), "spec.model: required"); }

TEST(PipelineSpec, RequiresAnObjectSpec) { EXPECT_EQ(ParseError(json()), "spec.model: required"); }

TEST(PipelineSpec, RequiresTheCandidateTemplate) {
  EXPECT_EQ(ParseError({{"model", "m"}}),
            "spec.candidateTemplate: required (a ModelCandidate spec without model, version and trigger)");
}

TEST(PipelineSpec, RequiresTheCandidateTemplateToBeAnObject) {
  EXPECT_EQ(ParseError({{"model", "m"}, {"candidateTemplate", "s3://x"}}).rfind("spec.candidateTemplate: required", 0),
            0u);
}

TEST(PipelineSpec, RefusesATemplateThatSetsTheModel) {
  json spec = MinimalSpec();
  spec["candidateTemplate"]["model"] = "other";
  EXPECT_EQ(ParseError(spec), "spec.candidateTemplate.model: set by the pipeline; remove it from the template");
}

TEST(PipelineSpec, RefusesATemplateThatSetsTheVersion) {
  json spec = MinimalSpec();
  spec["candidateTemplate"]["version"] = "{{version}}";
  EXPECT_EQ(ParseError(spec), "spec.candidateTemplate.version: set by the pipeline; remove it from the template");
}

TEST(PipelineSpec, RefusesATemplateThatSetsTheTrigger) {
  json spec = MinimalSpec();
  spec["candidateTemplate"]["trigger"] = {{"type", "Manual"}};
  EXPECT_EQ(ParseError(spec), "spec.candidateTemplate.trigger: set by the pipeline; remove it from the template");
}

TEST(PipelineSpec, UnknownTemplatePlaceholderNamesTheFieldAndSuggestsTheNearest) {
  json spec = MinimalSpec();
  spec["candidateTemplate"]["gates"] = {{"data", {{"dataset", {{"uri", "s3://d/{{windowstart}}.csv"}}}}}};
  const std::string error = ParseError(spec);
  EXPECT_EQ(error.rfind("spec.candidateTemplate.gates.data.dataset.uri: unknown placeholder {{windowstart}}; "
                        "did you mean {{windowStart}}?",
                        0),
            0u)
      << error;
}

TEST(PipelineSpec, UnterminatedTemplatePlaceholderNamesTheField) {
  json spec = MinimalSpec();
  spec["candidateTemplate"]["artifact"]["uri"] = "s3://m/{{version";
  EXPECT_EQ(ParseError(spec).rfind("spec.candidateTemplate.artifact.uri: '{{' at character 8 is not closed", 0), 0u);
}

TEST(PipelineSpec, ReadsTheSchedule) {
  json spec = MinimalSpec();
  spec["schedule"] = {{"cron", "0 2 * * *"}, {"timeZone", "Europe/Berlin"}, {"window", "168h"}, {"startingDeadline", "30m"}};
  const PipelineSpec parsed = Parse(spec);
  ASSERT_TRUE(parsed.schedule.has_value());
  EXPECT_EQ(parsed.schedule->cron_text, "0 2 * * *");
  EXPECT_EQ(parsed.schedule->time_zone, "Europe/Berlin");
  EXPECT_EQ(parsed.schedule->cron.time_zone_name(), "Europe/Berlin");
  EXPECT_EQ(parsed.schedule->window, milliseconds(hours(168)));
  EXPECT_EQ(parsed.schedule->starting_deadline, milliseconds(minutes(30)));
}

TEST(PipelineSpec, ScheduleWithoutWindowOrDeadlineLeavesThemUnset) {
  json spec = MinimalSpec();
  spec["schedule"] = {{"cron", "@every 20s"}};
  const PipelineSpec parsed = Parse(spec);
  ASSERT_TRUE(parsed.schedule.has_value());
  EXPECT_TRUE(parsed.schedule->cron.is_interval());
  EXPECT_EQ(parsed.schedule->time_zone, "");
  EXPECT_FALSE(parsed.schedule->window.has_value());
  EXPECT_FALSE(parsed.schedule->starting_deadline.has_value());
}

TEST(PipelineSpec, BadCronIsReportedByCronScheduleUnderSpec) {
  json spec = MinimalSpec();
  spec["schedule"] = {{"cron", "0 25 * * *"}};
  EXPECT_EQ(ParseError(spec), "spec.schedule.cron '0 25 * * *': field 2 (hour): 25 is out of range 0-23");
}

TEST(PipelineSpec, MissingCronIsAnError) {
  json spec = MinimalSpec();
  spec["schedule"] = json::object();
  EXPECT_EQ(ParseError(spec).rfind("spec.schedule.cron", 0), 0u);
}

TEST(PipelineSpec, BadTimeZoneIsReportedByCronScheduleUnderSpec) {
  json spec = MinimalSpec();
  spec["schedule"] = {{"cron", "0 2 * * *"}, {"timeZone", "Europe/Berln"}};
  EXPECT_EQ(ParseError(spec).rfind("spec.schedule.timeZone 'Europe/Berln': unknown IANA time zone", 0), 0u);
}

TEST(PipelineSpec, BadWindowNamesTheFieldAndTheValue) {
  json spec = MinimalSpec();
  spec["schedule"] = {{"cron", "@daily"}, {"window", "a week"}};
  EXPECT_EQ(ParseError(spec), "spec.schedule.window 'a week': expected a duration such as 30s, 10m or 168h");
}

TEST(PipelineSpec, NonStringWindowNamesTheField) {
  json spec = MinimalSpec();
  spec["schedule"] = {{"cron", "@daily"}, {"window", 3600}};
  EXPECT_EQ(ParseError(spec), "spec.schedule.window: expected a duration such as 30s, 10m or 168h");
}

TEST(PipelineSpec, BadStartingDeadlineNamesTheFieldAndTheValue) {
  json spec = MinimalSpec();
  spec["schedule"] = {{"cron", "@daily"}, {"startingDeadline", "soon"}};
  EXPECT_EQ(ParseError(spec), "spec.schedule.startingDeadline 'soon': expected a duration such as 30s, 10m or 168h");
}

TEST(PipelineSpec, ReadsAlerts) {
  json spec = MinimalSpec();
  spec["alerts"] = {{"enabled", true},
                    {"matchLabels", {{"model", "fraud-detector"}, {"severity", "page"}}},
                    {"cooldown", "30m"},
                    {"tokenSecretRef", {{"name", "am-token"}, {"key", "token"}}}};
  const PipelineSpec parsed = Parse(spec);
  EXPECT_TRUE(parsed.alerts.enabled);
  EXPECT_EQ(parsed.alerts.match_labels,
            (std::map<std::string, std::string>{{"model", "fraud-detector"}, {"severity", "page"}}));
  EXPECT_EQ(parsed.alerts.cooldown, minutes(30));
  EXPECT_EQ(parsed.alerts.token_secret_name, "am-token");
  EXPECT_EQ(parsed.alerts.token_secret_key, "token");
}

TEST(PipelineSpec, BadCooldownNamesTheFieldAndTheValue) {
  json spec = MinimalSpec();
  spec["alerts"] = {{"cooldown", "1 hour"}};
  EXPECT_EQ(ParseError(spec), "spec.alerts.cooldown '1 hour': expected a duration such as 30s, 10m or 168h");
}

TEST(PipelineSpec, AlertsEnabledWithoutTokenSecretRefIsAnError) {
  json spec = MinimalSpec();
  spec["alerts"] = {{"enabled", true}};
  EXPECT_EQ(ParseError(spec),
            "spec.alerts.tokenSecretRef: required when alerts.enabled (the bearer token Alertmanager sends)");
}

TEST(PipelineSpec, AlertsEnabledWithoutTokenSecretKeyIsAnError) {
  json spec = MinimalSpec();
  spec["alerts"] = {{"enabled", true}, {"tokenSecretRef", {{"name", "am-token"}}}};
  EXPECT_EQ(ParseError(spec).rfind("spec.alerts.tokenSecretRef: required when alerts.enabled", 0), 0u);
}

TEST(PipelineSpec, AlertsDisabledNeedNoToken) {
  json spec = MinimalSpec();
  spec["alerts"] = {{"enabled", false}, {"cooldown", "5m"}};
  const PipelineSpec parsed = Parse(spec);
  EXPECT_FALSE(parsed.alerts.enabled);
  EXPECT_EQ(parsed.alerts.cooldown, minutes(5));
}

TEST(PipelineSpec, NonStringMatchLabelNamesTheLabel) {
  json spec = MinimalSpec();
  spec["alerts"] = {{"matchLabels", {{"severity", 3}}}};
  EXPECT_EQ(ParseError(spec), "spec.alerts.matchLabels.severity: expected a string");
}

TEST(PipelineSpec, ReadsConcurrencyPolicyReplace) {
  json spec = MinimalSpec();
  spec["concurrencyPolicy"] = "Replace";
  EXPECT_EQ(Parse(spec).concurrency, ConcurrencyPolicy::kReplace);
}

TEST(PipelineSpec, ReadsConcurrencyPolicyAllow) {
  json spec = MinimalSpec();
  spec["concurrencyPolicy"] = "Allow";
  EXPECT_EQ(Parse(spec).concurrency, ConcurrencyPolicy::kAllow);
}

TEST(PipelineSpec, ReadsConcurrencyPolicyForbid) {
  json spec = MinimalSpec();
  spec["concurrencyPolicy"] = "Forbid";
  EXPECT_EQ(Parse(spec).concurrency, ConcurrencyPolicy::kForbid);
}

TEST(PipelineSpec, UnknownConcurrencyPolicyIsAnError) {
  json spec = MinimalSpec();
  spec["concurrencyPolicy"] = "Queue";
  EXPECT_EQ(ParseError(spec), "spec.concurrencyPolicy 'Queue': expected Forbid, Replace or Allow");
}

TEST(PipelineSpec, NamesConcurrencyPolicies) {
  EXPECT_STREQ(ConcurrencyPolicyName(ConcurrencyPolicy::kForbid), "Forbid");
  EXPECT_STREQ(ConcurrencyPolicyName(ConcurrencyPolicy::kReplace), "Replace");
  EXPECT_STREQ(ConcurrencyPolicyName(ConcurrencyPolicy::kAllow), "Allow");
}

TEST(PipelineSpec, ReadsAutomaticPromotionWithItsRollout) {
  json spec = MinimalSpec();
  spec["promotion"] = {{"mode", "Automatic"}, {"rolloutRef", {{"name", "fraud-rollout"}}}};
  const PipelineSpec parsed = Parse(spec);
  EXPECT_TRUE(parsed.automatic_promotion);
  EXPECT_EQ(parsed.rollout_name, "fraud-rollout");
}

TEST(PipelineSpec, AutomaticPromotionWithoutRolloutRefIsAnError) {
  json spec = MinimalSpec();
  spec["promotion"] = {{"mode", "Automatic"}};
  EXPECT_EQ(ParseError(spec), "spec.promotion.rolloutRef.name: required with promotion.mode Automatic");
}

TEST(PipelineSpec, ManualPromotionNeedsNoRollout) {
  json spec = MinimalSpec();
  spec["promotion"] = {{"mode", "Manual"}};
  EXPECT_FALSE(Parse(spec).automatic_promotion);
}

TEST(PipelineSpec, UnknownPromotionModeIsAnError) {
  json spec = MinimalSpec();
  spec["promotion"] = {{"mode", "Auto"}, {"rolloutRef", {{"name", "r"}}}};
  EXPECT_EQ(ParseError(spec), "spec.promotion.mode 'Auto': expected Manual or Automatic");
}

TEST(PipelineSpec, ReadsHistoryLimits) {
  json spec = MinimalSpec();
  spec["historyLimit"] = {{"succeeded", 3}, {"failed", 0}};
  const PipelineSpec parsed = Parse(spec);
  EXPECT_EQ(parsed.keep_succeeded, 3);
  EXPECT_EQ(parsed.keep_failed, 0);
}

TEST(PipelineSpec, ReadsOneHistoryLimitAndDefaultsTheOther) {
  json spec = MinimalSpec();
  spec["historyLimit"] = {{"failed", 2}};
  const PipelineSpec parsed = Parse(spec);
  EXPECT_EQ(parsed.keep_succeeded, 10);
  EXPECT_EQ(parsed.keep_failed, 2);
}

TEST(PipelineSpec, ClampsNegativeHistoryLimitsToZero) {
  json spec = MinimalSpec();
  spec["historyLimit"] = {{"succeeded", -4}};
  EXPECT_EQ(Parse(spec).keep_succeeded, 0);
}

TEST(PipelineSpec, ReadsSuspend) {
  json spec = MinimalSpec();
  spec["suspend"] = true;
  EXPECT_TRUE(Parse(spec).suspend);
}

}  // namespace
}  // namespace modelgate::controllers::pipeline
